package io.strata.faults.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.faults.inject.FaultProxy.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault proxy in front of a one-line echo server: each mode does to a client what it says. */
@Timeout(30)
class FaultProxyTest {

    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(this::serveEcho, "echo");
        server.setDaemon(true);
        server.start();
        proxy = FaultProxy.start(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private void serveEcho() {
        while (!echo.isClosed()) {
            try {
                Socket socket = echo.accept();
                Thread connection = new Thread(() -> {
                    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException ignored) {
                        // client gone
                    }
                }, "echo-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private String roundTrip(String text, int readTimeoutMs) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(readTimeoutMs);
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[text.length()];
            int read = 0;
            while (read < buffer.length) {
                int n = socket.getInputStream().read(buffer, read, buffer.length - read);
                if (n < 0) {
                    throw new IOException("closed after " + read + " bytes");
                }
                read += n;
            }
            return new String(buffer, StandardCharsets.UTF_8);
        }
    }

    /** The next byte, or -1 at end of stream or on a reset (either way the connection was cut). */
    private static int readOrReset(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void passForwardsBothWays() throws IOException {
        assertThat(roundTrip("hello", 5_000)).isEqualTo("hello");
    }

    @Test
    void refuseClosesNewConnections() {
        proxy.setMode(Mode.REFUSE);

        assertThatThrownBy(() -> roundTrip("hello", 5_000)).isInstanceOf(IOException.class)
                .isNotInstanceOf(SocketTimeoutException.class);
        assertThat(proxy.failedConnections()).isEqualTo(1);
    }

    @Test
    void blackholeNeverAnswers() {
        proxy.setMode(Mode.BLACKHOLE);

        assertThatThrownBy(() -> roundTrip("hello", 1_000)).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void slowDelaysTheAnswer() throws IOException {
        proxy.setMode(Mode.SLOW, 700);

        long start = System.nanoTime();
        assertThat(roundTrip("hello", 5_000)).isEqualTo("hello");
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(700);
    }

    @Test
    void aFailingModeCutsOpenConnectionsAndPassRestoresService() throws IOException {
        try (Socket open = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            open.setSoTimeout(5_000);
            open.getOutputStream().write('x');
            assertThat(open.getInputStream().read()).isEqualTo('x');

            proxy.setMode(Mode.REFUSE);

            assertThat(readOrReset(open)).as("end of stream on the cut connection").isEqualTo(-1);
        }
        proxy.setMode(Mode.PASS);
        assertThat(roundTrip("back", 5_000)).isEqualTo("back");
    }

    @Test
    void loseRepliesDropsOnlyAnAnswerHoldingTheMarkerAndCutsItsConnection() throws IOException {
        proxy.loseRepliesContaining("COMMIT".getBytes(StandardCharsets.US_ASCII));

        assertThat(roundTrip("select", 5_000)).as("an answer without the marker").isEqualTo("select");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("COMMIT".getBytes(StandardCharsets.US_ASCII));

            assertThat(readOrReset(socket)).as("the answer holding the marker: lost, the connection cut")
                    .isEqualTo(-1);
        }
        assertThat(proxy.lostReplies()).isEqualTo(1);
        proxy.setMode(Mode.PASS);
        assertThat(roundTrip("COMMIT", 5_000)).isEqualTo("COMMIT");
    }
}
