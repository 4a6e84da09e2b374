package io.strata.loadtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints {@code n} distinct free TCP ports on 127.0.0.1, one a line, for compare.sh (Kafka's KRaft
 * controller needs its port written into the config, so port 0 will not do there). All sockets are
 * held open until every port is chosen, so the ports differ; another process may still take one
 * before the broker binds it, in which case the broker fails to start and the script says so.
 */
public final class FreePorts {

    private FreePorts() {
    }

    public static void main(String[] args) throws IOException {
        int count = args.length == 0 ? 1 : Integer.parseInt(args[0]);
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            sockets.forEach(socket -> System.out.println(socket.getLocalPort()));
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
