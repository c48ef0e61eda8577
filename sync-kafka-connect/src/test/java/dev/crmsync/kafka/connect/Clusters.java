package dev.crmsync.kafka.connect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/** The cluster tests' embedded Connect cluster and their {@code read_committed} reader. */
final class Clusters {

    private Clusters() {
    }

    /**
     * Starts an in-JVM KRaft broker and Connect workers with exactly-once source support: one broker, so the
     * transaction log has one replica; topics are created by the tests; a short rebalance delay.
     *
     * @param name the cluster's name
     * @param workers how many workers
     * @param extraWorker more worker settings
     * @return the started cluster
     */
    static EmbeddedConnectCluster start(String name, int workers, Map<String, String> extraWorker) {
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", "enabled");
        worker.put("offset.flush.interval.ms", "500");
        worker.put("scheduled.rebalance.max.delay.ms", "1000");
        worker.putAll(extraWorker);
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        broker.put("auto.create.topics.enable", "false");
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name(name).numWorkers(workers)
                .numBrokers(1).workerProps(worker).brokerProps(broker).build();
        connect.start();
        return connect;
    }

    /**
     * Reads partition 0 of a topic from the start with {@code read_committed} until {@code expected} records came
     * (or {@code wait} passed), then {@code settle} more: a duplicate would come right behind.
     *
     * @param connect the cluster
     * @param topic the topic
     * @param expected records to wait for
     * @param wait the longest wait for them
     * @param settle how long to read on after them
     * @return every record read
     */
    static List<ConsumerRecord<String, String>> readCommitted(EmbeddedConnectCluster connect, String topic, int expected,
                                                              Duration wait, Duration settle) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + wait.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            long until = System.nanoTime() + settle.toNanos();
            while (System.nanoTime() < until) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
