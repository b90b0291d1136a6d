package io.cxrpipeline.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import io.cxrpipeline.catalog.aws.ImageItems;

/** Writes image items in bulk with the index's own codec ({@link ImageItems}), for tests and benchmarks. */
public final class ImageItemWriter {

    private ImageItemWriter() {
    }

    /** Writes records with BatchWriteItem (25 at a time), retrying unprocessed items. */
    public static void putAll(DynamoDbClient dynamo, String table, List<ImageRecord> records, int shards) {
        for (int from = 0; from < records.size(); from += 25) {
            List<WriteRequest> batch = new ArrayList<>();
            for (ImageRecord r : records.subList(from, Math.min(records.size(), from + 25))) {
                batch.add(WriteRequest.builder()
                        .putRequest(PutRequest.builder().item(ImageItems.toItem(r, shards)).build()).build());
            }
            Map<String, List<WriteRequest>> pending = Map.of(table, batch);
            while (!pending.isEmpty()) {
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(request));
                pending = response.unprocessedItems() == null ? Map.of() : response.unprocessedItems();
            }
        }
    }

    /**
     * Writes a stream of records too large to hold (BatchWriteItem, 25 at a time), {@code threads} requests in
     * flight, holding a few hundred records per thread.
     *
     * @param source feeds every record to the consumer it is given, e.g. {@code sink -> SyntheticIndex.forEach(...)}
     * @return the number of records written
     */
    public static long putAll(DynamoDbClient dynamo, String table, Consumer<Consumer<ImageRecord>> source, int shards,
            int threads) throws InterruptedException, ExecutionException {
        int chunk = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Semaphore inFlight = new Semaphore(2 * threads);
        List<Future<?>> writes = new ArrayList<>();
        var pending = new Object() {
            List<ImageRecord> records = new ArrayList<>(chunk);
            long count;
        };
        Consumer<List<ImageRecord>> submit = records -> {
            inFlight.acquireUninterruptibly();
            writes.add(pool.submit(() -> {
                try {
                    putAll(dynamo, table, records, shards);
                } finally {
                    inFlight.release();
                }
            }));
        };
        try {
            source.accept(r -> {
                pending.records.add(r);
                pending.count++;
                if (pending.records.size() == chunk) {
                    submit.accept(pending.records);
                    pending.records = new ArrayList<>(chunk);
                }
            });
            if (!pending.records.isEmpty()) {
                submit.accept(pending.records);
            }
            for (Future<?> write : writes) {
                write.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return pending.count;
    }
}
