package io.strata.tiering.remote;

import io.strata.index.GroupOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where {@link GroupOffsetUploader} reads the committed offsets it copies to the bucket: RocksDB in single-broker
 * mode, the metadata database in cluster mode. Blocking; called on the remote tier's scheduler thread.
 */
public interface GroupOffsetSource {

    /** Everything {@code group} has committed, by topic name (offsets of topics that no longer exist left out). */
    List<GroupOffset> offsets(String group);

    /** The id of the topic named {@code topic}, or empty when there is no such topic. */
    Optional<UUID> topicId(String topic);
}
