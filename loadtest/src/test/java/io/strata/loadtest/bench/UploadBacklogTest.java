package io.strata.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UploadBacklogTest {

    @Test
    void sumsTheCopyLagOfEveryPartitionAndNothingElse() {
        String scrape = """
            # HELP kafka_server_brokertopicmetrics_remote_copy_lag_bytes bytes not yet copied
            # TYPE kafka_server_brokertopicmetrics_remote_copy_lag_bytes gauge
            kafka_server_brokertopicmetrics_remote_copy_lag_bytes{partition="0",topic="a"} 5.36870912E8
            kafka_server_brokertopicmetrics_remote_copy_lag_bytes{partition="1",topic="a"} 1024.0
            kafka_server_brokertopicmetrics_remote_copy_lag_segments{partition="0",topic="a"} 1.0
            kafka_server_brokertopicmetrics_bytes_in_total{topic="a"} 9.0E9
            """;
        assertThat(UploadBacklog.sum(scrape)).isEqualTo(536_870_912L + 1024);
    }

    @Test
    void noPartitionsMeansNoBacklog() {
        assertThat(UploadBacklog.sum("# nothing here\njvm_threads_live_threads 40.0\n")).isZero();
    }
}
