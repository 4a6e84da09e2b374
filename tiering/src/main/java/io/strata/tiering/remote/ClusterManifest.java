package io.strata.tiering.remote;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The cluster manifest, {@code cluster.json} at the root of the prefix: what a broker restoring from the
 * bucket needs besides the topics. Written when the broker starts and, before any id of it is handed out,
 * whenever the broker reserves a new block of producer ids, so that a restored broker never hands out a
 * producer id that was already used. Example:
 * <pre>
 * {
 *   "version" : 1,
 *   "clusterId" : "q1Sh-9_ISia_zwGINzRvyQ",
 *   "producerIdBlockEnd" : 2000
 * }
 * </pre>
 *
 * @param producerIdBlockEnd every producer id handed out so far is below it
 */
@JsonPropertyOrder({"version", "clusterId", "producerIdBlockEnd"})
public record ClusterManifest(int version, String clusterId, long producerIdBlockEnd) {

    public static final int VERSION = 1;

    public ClusterManifest(String clusterId, long producerIdBlockEnd) {
        this(VERSION, clusterId, producerIdBlockEnd);
    }

    public byte[] toJson() {
        return ManifestJson.write(this);
    }

    /** Parses and checks the manifest read from {@code key} (untrusted, as everything in the bucket). */
    static ClusterManifest fromJson(String key, byte[] json) {
        ClusterManifest manifest;
        try {
            manifest = ManifestJson.read(json, ClusterManifest.class, "cluster manifest", ClusterManifest::version,
                    VERSION);
        } catch (IllegalArgumentException e) {
            throw new BucketObjectChecks.BadBucketObjectException(key, "is unreadable: " + e.getMessage());
        }
        if (manifest.clusterId() == null || !manifest.clusterId().matches("[A-Za-z0-9_-]{1,64}")
                || manifest.producerIdBlockEnd() < 0) {
            throw new BucketObjectChecks.BadBucketObjectException(key, "has cluster id '" + manifest.clusterId()
                    + "' and producer id block end " + manifest.producerIdBlockEnd());
        }
        return manifest;
    }
}
