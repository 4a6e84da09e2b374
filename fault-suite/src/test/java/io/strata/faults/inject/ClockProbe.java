package io.strata.faults.inject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Child process of {@link ClockShimTest}: for each line read on its standard input, prints
 * {@code <System.currentTimeMillis()> <Instant.now() in milliseconds> <System.nanoTime()>}.
 */
public final class ClockProbe {

    private ClockProbe() {}

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            System.out.println(System.currentTimeMillis() + " " + Instant.now().toEpochMilli() + " " + System.nanoTime());
            System.out.flush();
        }
    }
}
