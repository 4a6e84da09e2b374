package io.strata.broker.network;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;

/** A blocking Kafka wire client over a plain socket, for tests; every read gives up after 10 s. */
public final class RawKafkaClient implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawKafkaClient(int port) throws IOException {
        this(port, 0);
    }

    /**
     * @param receiveBufferBytes the socket's receive buffer (set before connecting, so that the window stays
     *     that small: a slow reader); 0 for the system default
     */
    public RawKafkaClient(int port, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends {@code request} with {@code correlationId}; returns the header to parse the response with. */
    public RequestHeader send(AbstractRequest request, int correlationId) throws IOException {
        RequestHeader header = WireFormat.header(request.apiKey(), request.version(), correlationId);
        sendBytes(WireFormat.withSizePrefix(request.serializeWithHeader(header)));
        return header;
    }

    /** Sends {@code request} and waits for its response. */
    @SuppressWarnings("unchecked")
    public <R extends AbstractResponse> R call(AbstractRequest request, int correlationId) throws IOException {
        return (R) receive(send(request, correlationId));
    }

    /** How long each later read waits for bytes before it throws {@link java.net.SocketTimeoutException}. */
    public void readTimeout(java.time.Duration timeout) throws IOException {
        socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
    }

    public void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The size prefix of the next response frame. */
    public int readFrameSize() throws IOException {
        return in.readInt();
    }

    /** Exactly {@code length} bytes of the response being read. */
    public byte[] readBytes(int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** The next response frame (header and body, without the size prefix). */
    public ByteBuffer readFrame() throws IOException {
        return ByteBuffer.wrap(readBytes(readFrameSize()));
    }

    public AbstractResponse receive(RequestHeader header) throws IOException {
        ByteBuffer frame = readFrame();
        AbstractResponse response = AbstractResponse.parseResponse(frame, header);
        if (frame.hasRemaining()) {
            throw new IllegalStateException(frame.remaining() + " trailing bytes in response");
        }
        return response;
    }

    /** True when the server closed the connection (end of stream or reset) before sending another byte. */
    public boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException | SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * A Fetch v12 (by topic name, no session) of one partition from {@code offset}, with {@code min_bytes} 1
     * and {@code maxBytes} as both the request's and the partition's byte limit.
     */
    public static FetchRequest fetchRequest(String topic, int partition, long offset, int maxWaitMs, int maxBytes) {
        FetchRequestData data = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(1)
                .setMaxBytes(maxBytes)
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1);
        data.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(partition).setFetchOffset(offset)
                        .setPartitionMaxBytes(maxBytes))));
        return new FetchRequest(data, (short) 12);
    }
}
