package dev.crmsync.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.InMemoryCrm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's benchmark, one run ({@code mvn -q -pl sync-kafka-connect -am verify -Dtest=ConnectCopyBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}; its name is not a test's, so the normal build leaves it out): the first copy of several orgs through {@link CrmChangesSourceConnector} on one worker, then on three,
 * beside a physical baseline measured on the same cluster — a raw transactional producer writing the same number of
 * records of the same size in transactions of a page. Records/s from the connector's configuration until a
 * {@code read_committed} consumer has every record. Prints a Markdown table and writes it to
 * {@code target/benchmark-connect.md}; asserts only that every record arrived once.
 */
class ConnectCopyBenchmark {

    private static final int ORGS = Integer.getInteger("bench.connect.orgs", 6);
    private static final int RECORDS = Integer.getInteger("bench.connect.records", 5_000);
    private static final int PAGE = 2_000;

    private record Run(int workers, double connectPerSecond, double rawPerSecond, int records) {
    }

    @Test
    void firstCopyOfSeveralOrgsOnOneWorkerAndOnThree() throws IOException {
        Run one = run(1);
        Run three = run(3);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "## Kafka Connect: first copy, %d orgs × %,d Accounts%n%n", ORGS, RECORDS));
        md.append("| workers | connector records/s | raw transactional producer records/s (same cluster) | ratio |\n");
        md.append("|---:|---:|---:|---:|\n");
        for (Run r : new Run[] {one, three}) {
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f |%n", r.workers(), r.connectPerSecond(),
                    r.rawPerSecond(), r.connectPerSecond() / r.rawPerSecond()));
        }
        md.append(String.format(Locale.ROOT, "%nThree workers vs one: %.2f×.%n",
                three.connectPerSecond() / one.connectPerSecond()));
        System.out.println(md);
        Path out = Path.of("target", "benchmark-connect.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    }

    private Run run(int workers) {
        EmbeddedConnectCluster connect = Clusters.start("crmsync-bench-" + workers, workers, Map.of());
        try {
            String prefix = "bench" + workers;
            StringBuilder orgs = new StringBuilder();
            int total = ORGS * RECORDS;
            for (int i = 0; i < ORGS; i++) {
                String org = prefix + "org" + i;
                InMemoryCrm crm = InMemoryCrm.builder().seed(1_000 + i).build();
                for (int r = 0; r < RECORDS; r++) {
                    crm.insert(ObjectType.ACCOUNT, Map.of("Name", FieldValue.text("Account " + r),
                            "Industry", FieldValue.text("Technology"), "Phone", FieldValue.text("+1 555 0100")));
                }
                TestOrgs.CRMS.put(org, crm);
                connect.kafka().createTopic(prefix + "." + org + ".Account", 1);
                orgs.append(i == 0 ? "" : ",").append(org);
            }
            Map<String, String> p = new HashMap<>();
            p.put("connector.class", CrmChangesSourceConnector.class.getName());
            p.put("tasks.max", String.valueOf(ORGS));
            p.put(CrmChangesSourceConnector.ORGS, orgs.toString());
            p.put(CrmChangesSourceConnector.CRM_SOURCE_FACTORY, TestOrgs.CrmFactory.class.getName());
            p.put(CrmChangesSourceConnector.OBJECT_TYPES, "Account");
            p.put(CrmChangesSourceConnector.TOPIC_PREFIX, prefix);
            p.put(CrmChangesSourceConnector.PAGE_SIZE, String.valueOf(PAGE));
            p.put(CrmChangesSourceConnector.LOOKBACK_MS, "0");
            p.put("exactly.once.support", "required");
            p.put("transaction.boundary", "connector");
            p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            p.put("value.converter.schemas.enable", "true");
            long t0 = System.nanoTime();
            connect.configureConnector(prefix + "-source", p);
            Set<String> keys = new HashSet<>();
            long bytes = readUntil(connect, Pattern.compile(prefix + "\\..*\\.Account"), total, keys);
            double connectRate = total / ((System.nanoTime() - t0) / 1e9);
            assertEquals(total, keys.size(), "every record once");
            connect.deleteConnector(prefix + "-source");

            // the baseline: the same number of records of the same size, written by a raw transactional producer
            int size = (int) Math.max(1, bytes / total);
            String value = "x".repeat(size);
            String rawTopic = prefix + ".raw";
            connect.kafka().createTopic(rawTopic, 1);
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-raw-" + UUID.randomUUID());
            long r0 = System.nanoTime();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                    new StringSerializer())) {
                producer.initTransactions();
                for (int from = 0; from < total; from += PAGE) {
                    producer.beginTransaction();
                    for (int i = from; i < Math.min(total, from + PAGE); i++) {
                        producer.send(new ProducerRecord<>(rawTopic, "001" + i, value));
                    }
                    producer.commitTransaction();
                }
            }
            Set<String> rawKeys = new HashSet<>();
            readUntil(connect, Pattern.compile(Pattern.quote(rawTopic)), total, rawKeys);
            double rawRate = total / ((System.nanoTime() - r0) / 1e9);
            assertEquals(total, rawKeys.size());
            return new Run(workers, connectRate, rawRate, total);
        } finally {
            connect.stop();
        }
    }

    /** Reads committed records of the topics until {@code expected} distinct keys arrived. @return their value bytes */
    private static long readUntil(EmbeddedConnectCluster connect, Pattern topics, int expected, Set<String> keys) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
        long bytes = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(topics);
            while (keys.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    if (keys.add(r.topic() + "/" + r.key())) {
                        bytes += r.value() == null ? 0 : r.value().length();
                    }
                }
            }
        }
        return bytes;
    }
}
