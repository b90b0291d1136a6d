package io.cxrpipeline.catalog.aws;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;


import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.catalog.aws.ImageItems;
import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageCatalog;
import io.cxrpipeline.catalog.ImageAttribute;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

/** {@link ImageCatalog} over the one-table layout: parallel Queries on the sharded {@code gsi1} partitions. */
public class DynamoImageCatalog implements ImageCatalog {

    /**
     * Partitions read at once. Reads are I/O-bound; 16 requests in flight keep a Lambda's network busy
     * while staying far below a partition's read limit.
     */
    static final int MAX_PARALLEL_QUERIES = 16;

    /** Pages buffered between the readers and the consumer: bounds memory to ~32 pages of at most 1 MB. */
    private static final int QUEUE_PAGES = 32;

    private static final Object DONE = new Object();

    private final DynamoDbClient dynamo;
    private final String table;
    private final int shards;

    public DynamoImageCatalog(DynamoDbClient dynamo, String table, int shards) {
        this.dynamo = dynamo;
        this.table = table;
        this.shards = shards;
    }

    @Override
    public long countIndexed(String dataset, String label) {
        List<String> pks = new ArrayList<>(shards);
        for (int s = 0; s < shards; s++) {
            pks.add(TableKeys.classShardPk(dataset, label, s));
        }
        return count(pks);
    }

    @Override
    public long countWithStatus(String dataset, ImageStatus status) {
        return count(statusShards(dataset, status));
    }

    @Override
    public List<ImageRecord> listWithStatus(String dataset, ImageStatus status, int limit) {
        List<ImageRecord> found = new ArrayList<>();
        try {
            for (String pk : statusShards(dataset, status)) {
                QueryRequest request = QueryRequest.builder().tableName(table).indexName(TableKeys.GSI1)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", TableKeys.GSI1_PK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk))).build();
                for (QueryResponse page : dynamo.queryPaginator(request)) {
                    for (Map<String, AttributeValue> item : page.items()) {
                        found.add(ImageItems.fromItem(item));
                    }
                }
            }
        } catch (SdkException e) {
            throw failure(e);
        }
        found.sort(java.util.Comparator.comparing(ImageRecord::imageId));
        return List.copyOf(found.subList(0, Math.min(limit, found.size())));
    }

    private List<String> statusShards(String dataset, ImageStatus status) {
        if (status == ImageStatus.INDEXED || status == ImageStatus.DELETED) {
            throw new IllegalArgumentException("only REJECTED, DUPLICATE and CONFLICT objects are listed by status: "
                    + status);
        }
        List<String> pks = new ArrayList<>(shards);
        for (int s = 0; s < shards; s++) {
            pks.add(TableKeys.statusShardPk(dataset, status, s));
        }
        return pks;
    }

    private long count(List<String> pks) {
        ExecutorService pool = pool(pks.size());
        try {
            List<Future<Long>> counts = new ArrayList<>();
            for (String pk : pks) {
                counts.add(pool.submit(() -> {
                    long n = 0;
                    QueryRequest request = QueryRequest.builder().tableName(table).indexName(TableKeys.GSI1)
                            .keyConditionExpression("#pk = :pk")
                            .expressionAttributeNames(Map.of("#pk", TableKeys.GSI1_PK))
                            .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))
                            .select(Select.COUNT).build();
                    for (QueryResponse page : dynamo.queryPaginator(request)) {
                        n += page.count();
                    }
                    return n;
                }));
            }
            long total = 0;
            for (Future<Long> f : counts) {
                total += f.get();
            }
            return total;
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("the image index", "interrupted while counting the index", e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public void streamIndexed(String dataset, List<String> labels, Set<ImageAttribute> attributes,
            Consumer<ImageRecord> sink) {
        if (labels.isEmpty()) {
            return;
        }
        Set<ImageAttribute> read = attributes.isEmpty() ? EnumSet.noneOf(ImageAttribute.class)
                : EnumSet.copyOf(attributes);
        read.add(ImageAttribute.IMAGE_ID);
        // The partition says the label and the status: no need to read them.
        read.remove(ImageAttribute.LABEL);
        read.remove(ImageAttribute.STATUS);
        Map<String, String> names = new HashMap<>();
        names.put("#pk", TableKeys.GSI1_PK);
        StringBuilder projection = new StringBuilder();
        for (ImageAttribute a : read) {
            String placeholder = "#a" + a.ordinal();
            names.put(placeholder, a.attributeName());
            projection.append(projection.length() == 0 ? "" : ",").append(placeholder);
        }

        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_PAGES);
        AtomicBoolean cancelled = new AtomicBoolean();
        int partitions = labels.size() * shards;
        ExecutorService pool = pool(partitions);
        AtomicInteger remaining = new AtomicInteger(partitions);
        try {
            for (String label : labels) {
                for (int s = 0; s < shards; s++) {
                    String pk = TableKeys.classShardPk(dataset, label, s);
                    pool.submit(() -> {
                        try {
                            QueryRequest request = QueryRequest.builder().tableName(table).indexName(TableKeys.GSI1)
                                    .keyConditionExpression("#pk = :pk")
                                    .expressionAttributeNames(names)
                                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))
                                    .projectionExpression(projection.toString()).build();
                            for (QueryResponse page : dynamo.queryPaginator(request)) {
                                List<ImageRecord> records = new ArrayList<>(page.items().size());
                                for (Map<String, AttributeValue> item : page.items()) {
                                    records.add(toRecord(dataset, label, item));
                                }
                                if (!offer(queue, records, cancelled)) {
                                    return;
                                }
                            }
                            offer(queue, DONE, cancelled);
                        } catch (Throwable e) {
                            offer(queue, new Failed(e), cancelled);
                        }
                    });
                }
            }
            while (remaining.get() > 0) {
                Object next = queue.take();
                if (next == DONE) {
                    remaining.decrementAndGet();
                } else if (next instanceof Failed failed) {
                    throw failure(failed.cause());
                } else {
                    @SuppressWarnings("unchecked")
                    List<ImageRecord> page = (List<ImageRecord>) next;
                    for (ImageRecord r : page) {
                        sink.accept(r);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("the image index", "interrupted while reading the index", e);
        } finally {
            cancelled.set(true);
            pool.shutdownNow();
        }
    }

    /** Blocks until the consumer takes the page, unless the consumer has given up. */
    private static boolean offer(BlockingQueue<Object> queue, Object page, AtomicBoolean cancelled) {
        try {
            while (!queue.offer(page, 100, TimeUnit.MILLISECONDS)) {
                if (cancelled.get()) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private record Failed(Throwable cause) {
    }

    private static ExecutorService pool(int tasks) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(Math.max(1, Math.min(MAX_PARALLEL_QUERIES, tasks)), r -> {
            Thread t = new Thread(r, "catalog-read-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private RuntimeException failure(Throwable cause) {
        if (cause instanceof InfrastructureException c) {
            return c;
        }
        if (cause instanceof SdkException) {
            return new InfrastructureException("the image index", "cannot read the index in table " + table + ": " + cause.getMessage(),
                    cause);
        }
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(cause);
    }

    /**
     * Reads a projected image item. Unlike {@link ImageItems#fromItem}, it accepts items without dataset, label
     * and status (not projected: the partition gives them) and without the attributes not asked for.
     */
    static ImageRecord toRecord(String dataset, String label, Map<String, AttributeValue> item) {
        return ImageRecord.builder(dataset, s(item, ImageItems.IMAGE_ID)).key(s(item, ImageItems.KEY)).label(label)
                .subtype(s(item, ImageItems.SUBTYPE)).patient(s(item, ImageItems.PATIENT))
                .originalSplit(s(item, ImageItems.ORIGINAL_SPLIT)).format(s(item, ImageItems.FORMAT))
                .width((int) n(item, ImageItems.WIDTH)).height((int) n(item, ImageItems.HEIGHT))
                .channels((int) n(item, ImageItems.CHANNELS)).bitDepth((int) n(item, ImageItems.BIT_DEPTH))
                .sizeBytes(n(item, ImageItems.SIZE_BYTES)).contentId(s(item, ImageItems.CONTENT_ID))
                .status(ImageStatus.INDEXED, s(item, ImageItems.REASON), s(item, ImageItems.DUPLICATE_OF))
                .sequencer(s(item, ImageItems.SEQUENCER)).updatedAt(s(item, ImageItems.UPDATED_AT))
                .study(s(item, ImageItems.STUDY)).view(s(item, ImageItems.VIEW))
                .phi(ImageItems.phi(item))
                .sopInstanceUid(s(item, ImageItems.SOP_INSTANCE_UID)).build();
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.s() == null || v.s().isEmpty() ? null : v.s();
    }

    private static long n(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
