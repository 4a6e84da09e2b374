package io.strata.loadtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints {@code n} distinct free TCP ports on 127.0.0.1, one a line, for compare.sh and the bench tool (Kafka's KRaft
 * controller needs its port written into the config, so port 0 will not do there). All sockets are
 * held open until every port is chosen, so the ports differ; another process may still take one
 * before the broker binds it, in which case the broker fails to start and the script says so.
 */
public final class FreePorts {

    private FreePorts() {
    }

    public static void main(String[] args) throws IOException {
        for (int port : choose(args.length == 0 ? 1 : Integer.parseInt(args[0]))) {
            System.out.println(port);
        }
    }

    /** {@code count} distinct free ports on 127.0.0.1. */
    public static int[] choose(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
