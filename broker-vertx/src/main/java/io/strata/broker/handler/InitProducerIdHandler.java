package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.vertx.core.Future;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId (v0-5) for idempotent producers: hands out a producer id that is durable across
 * restarts (RocksDB), at epoch 0. A producer that presents its current id and epoch (KIP-360) gets
 * the same id with the next epoch, or a fresh id when the epoch would overflow. Transactional ids
 * are refused with INVALID_REQUEST until transactions exist.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {

    private static final Logger LOGGER = LoggerFactory.getLogger(InitProducerIdHandler.class);
    private final LogManager logs;
    private final Cluster cluster;

    public InitProducerIdHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, InitProducerIdRequest request) {
        InitProducerIdRequestData data = request.data();
        if (data.transactionalId() != null) {
            LOGGER.info("Refusing InitProducerId with transactional id '{}' from {}: transactions are not supported",
                    data.transactionalId(), context.clientHost());
            return Future.succeededFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.INVALID_REQUEST.code())
                    .setProducerId(RecordBatch.NO_PRODUCER_ID)
                    .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
        }
        if (data.producerId() >= 0 && data.producerEpoch() >= 0 && data.producerEpoch() < Short.MAX_VALUE - 1) {
            return Future.succeededFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.NONE.code())
                    .setProducerId(data.producerId())
                    .setProducerEpoch((short) (data.producerEpoch() + 1)));
        }
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), cluster::allocateProducerId)
                .map(id -> new InitProducerIdResponseData()
                        .setThrottleTimeMs(0)
                        .setErrorCode(Errors.NONE.code())
                        .setProducerId(id)
                        .setProducerEpoch((short) 0));
    }
}
