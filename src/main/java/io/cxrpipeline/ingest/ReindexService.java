package io.cxrpipeline.ingest;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.cxrpipeline.ingest.IndexOutcome.Outcome;
import io.cxrpipeline.common.InfrastructureException;

/**
 * Backfills the index from a listing of {@code images/<dataset>/}: objects missing from the index or whose
 * entry is stale are indexed; up-to-date entries are left alone. Each call does a bounded amount of work
 * (objects and time) and says where the next call resumes.
 */
public final class ReindexService {

    /** The most objects one call examines. */
    public int maxObjects() {
        return maxObjects;
    }

    /**
     * The work of one call.
     *
     * @param indexed   objects whose index entry was written
     * @param skipped   objects whose entry was up to date, or that changed or vanished meanwhile
     * @param startAfter the last key examined, where the next call resumes; null when {@code done}
     */
    public record Result(String dataset, int scanned, int indexed, int skipped, int failed, String startAfter,
            boolean done) {
    }

    private static final int PAGE = 1000;

    private final IndexingService service;
    private final SourceObjects store;
    private final String bucket;
    private final IngestLog log;
    private final int maxObjects;
    private final Duration budget;
    private final int parallelism;
    private final Clock clock;

    public ReindexService(IndexingService service, SourceObjects store, String bucket, IngestLog log, int maxObjects,
            Duration budget, int parallelism, Clock clock) {
        this.service = service;
        this.store = store;
        this.bucket = bucket;
        this.log = log;
        this.maxObjects = Math.max(1, maxObjects);
        this.budget = budget;
        this.parallelism = Math.max(1, parallelism);
        this.clock = clock;
    }

    /**
     * Examines the next objects of a dataset.
     *
     * @param startAfter where the previous call stopped, or null to start
     * @param force      re-judge up-to-date entries too (after changing classes or key rules)
     * @param limit      examine at most this many objects (capped by the configured maximum), or null
     * @throws UnknownDatasetException when a first call finds no object
     * @throws InfrastructureException when S3 or DynamoDB fails before any object could be examined
     */
    public Result run(String dataset, String startAfter, boolean force, Integer limit) {
        int maxObjects = limit == null ? this.maxObjects : Math.max(1, Math.min(limit, this.maxObjects));
        long deadline = clock.millis() + budget.toMillis();
        String prefix = service.rules().datasetPrefix(dataset);
        String after = startAfter;
        int scanned = 0;
        int indexed = 0;
        int skipped = 0;
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "reindex");
            t.setDaemon(true);
            return t;
        });
        try {
            boolean first = true;
            while (true) {
                int want = Math.min(PAGE, maxObjects - scanned);
                if (want <= 0 || clock.millis() >= deadline) {
                    return new Result(dataset, scanned, indexed, skipped, 0, after, false);
                }
                SourceObjects.Listing listing = store.list(bucket, prefix, after, want);
                if (first && startAfter == null && listing.entries().isEmpty()) {
                    throw new UnknownDatasetException("dataset " + dataset + " has no objects: no objects under " + prefix);
                }
                first = false;
                List<SourceObjects.Entry> entries = listing.entries();
                for (int from = 0; from < entries.size(); from += parallelism * 2) {
                    if (clock.millis() >= deadline) {
                        return new Result(dataset, scanned, indexed, skipped, 0, after, false);
                    }
                    List<SourceObjects.Entry> chunk = entries.subList(from, Math.min(entries.size(), from + parallelism * 2));
                    List<Future<IndexOutcome>> futures = new ArrayList<>();
                    for (SourceObjects.Entry entry : chunk) {
                        futures.add(pool.submit(() -> examine(entry, force)));
                    }
                    for (int i = 0; i < chunk.size(); i++) {
                        IndexOutcome o = futures.get(i).get();
                        if (o.outcome() == Outcome.FAILED) {
                            // Resume before the first failure, so that nothing is skipped; later objects of the
                            // chunk are examined again next time (idempotently).
                            if (scanned == 0) {
                                throw new InfrastructureException("storage", "reindex of " + prefix + " failed at "
                                        + o.key() + ": " + o.reason());
                            }
                            return new Result(dataset, scanned, indexed, skipped, 1, after, false);
                        }
                        scanned++;
                        if (o.outcome() == Outcome.WRITTEN) {
                            indexed++;
                        } else {
                            skipped++;
                        }
                        after = chunk.get(i).key();
                    }
                }
                if (!listing.truncated()) {
                    return new Result(dataset, scanned, indexed, skipped, 0, null, true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("storage", "reindex interrupted", e);
        } catch (ExecutionException e) {
            throw new InfrastructureException("storage", "reindex failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private IndexOutcome examine(SourceObjects.Entry entry, boolean force) {
        long start = System.nanoTime();
        IndexOutcome outcome;
        Throwable error = null;
        try {
            outcome = service.reindex(entry, force);
        } catch (RuntimeException e) {
            error = e;
            outcome = new IndexOutcome(entry.key(), null, null, null, Outcome.FAILED, null, e.getMessage(), 0, 0);
        }
        outcome = outcome.withTiming("Reindex", (System.nanoTime() - start) / 1_000_000);
        log.log("reindex", outcome, error);
        return outcome;
    }
}
