package io.cxrpipeline.splits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.InMemoryImageCatalog;
import io.cxrpipeline.common.DomainException;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.common.NotFoundException;

class SplitJobServiceTest {

    private static final String DATASET = SplitServiceTest.DATASET;

    /** A split service and its job service over one index, with the launches they asked for. */
    private static final class Stack {
        final InMemoryManifestStore store = new InMemoryManifestStore(true);
        final InMemorySplitRepository repository = new InMemorySplitRepository();
        final List<String> launched = new ArrayList<>();
        final SplitService splits;
        final SplitJobService jobs;

        Stack(List<ImageRecord> records, long threshold) {
            splits = new SplitService(new InMemoryImageCatalog(records, 7), store, repository, "test-bucket",
                    SplitServiceTest.CLASSES, SplitServiceTest.CLOCK);
            jobs = new SplitJobService(splits, repository, (dataset, jobId) -> launched.add(dataset + "/" + jobId),
                    new SplitRequestParser(42, 10_000_000), threshold, SplitServiceTest.CLOCK);
        }
    }

    private static final byte[] BODY = "{\"seed\":7,\"balance\":\"undersample\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void anAsynchronousSplitIsTheSynchronousOneByteForByte() {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, SyntheticIndex.KERMANY_IMAGES, 11);
        Stack sync = new Stack(records, Long.MAX_VALUE);
        Stack async = new Stack(records, Long.MAX_VALUE);

        SplitService.Outcome direct = sync.jobs.create(DATASET, new SplitRequestParser(42, 10_000_000).parse(BODY));
        SplitJob accepted = async.jobs.submit(DATASET, BODY);
        assertEquals(SplitJob.Status.PENDING, accepted.status());
        assertEquals(SplitJobService.JOB_ID_HEX_DIGITS, accepted.jobId().length());
        assertEquals(List.of(DATASET + "/" + accepted.jobId()), async.launched, "one invocation is launched");
        assertEquals(SplitJob.Status.PENDING, async.jobs.get(DATASET, accepted.jobId()).status());
        assertEquals(0, async.repository.size(), "nothing is made before the invocation runs");

        SplitJob done = async.jobs.run(DATASET, accepted.jobId());
        assertEquals(SplitJob.Status.SUCCEEDED, done.status());
        assertEquals(direct.split().splitId(), done.splitId());
        assertEquals(done, async.jobs.get(DATASET, accepted.jobId()));
        assertEquals(sync.store.objects().keySet(), async.store.objects().keySet());
        for (String key : sync.store.objects().keySet()) {
            assertArrayEquals(sync.store.objects().get(key), async.store.objects().get(key), key);
        }
        assertEquals(done, async.jobs.run(DATASET, accepted.jobId()), "a redelivered invocation changes nothing");
        assertEquals(1, async.repository.size());
    }

    @Test
    void aJobFailsWithTheErrorTheSynchronousRequestWouldHaveAnswered() {
        String dataset = DATASET;
        List<ImageRecord> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(SplitServiceTest.image("PNEUMONIA/p" + i + ".jpeg", "PNEUMONIA", "p" + i, "c-p" + i));
            records.add(SplitServiceTest.image("NORMAL/n" + i + ".jpeg", "NORMAL", "n" + (i % 2), "c-n" + i));
        }
        Stack stack = new Stack(records, Long.MAX_VALUE);
        DomainException direct = assertThrows(DomainException.class,
                () -> stack.jobs.create(dataset, SplitParameters.defaults(42)));

        SplitJob failed = stack.jobs.run(dataset, stack.jobs.submit(dataset, "{}".getBytes()).jobId());
        assertEquals(SplitJob.Status.FAILED, failed.status());
        DomainException replayed = SplitJobService.failure(stack.jobs.get(dataset, failed.jobId()));
        assertEquals(direct.getClass(), replayed.getClass());
        assertEquals(direct.kind(), replayed.kind());
        assertEquals(direct.field(), replayed.field());
        assertEquals(direct.getMessage(), replayed.getMessage());

        SplitJob missing = stack.jobs.run("never-uploaded",
                stack.jobs.submit("never-uploaded", "{}".getBytes()).jobId());
        assertEquals(DomainException.Kind.NOT_FOUND, missing.failure().kind());
        assertTrue(missing.failure().detail().contains("never-uploaded"));
    }

    @Test
    void anUnavailableStoreFailsTheJobAndIsRethrownSoTheInvocationIsRetried() {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, 600, 3);
        InMemorySplitRepository repository = new InMemorySplitRepository();
        ManifestStore broken = new ManifestStore() {
            @Override
            public java.io.OutputStream create(String key, String contentType) throws java.io.IOException {
                throw new java.io.IOException("disk full");
            }

            @Override
            public String uri(String key) {
                return "s3://test-bucket/" + key;
            }
        };
        SplitService splits = new SplitService(new InMemoryImageCatalog(records, 1), broken, repository,
                "test-bucket", SplitServiceTest.CLASSES, SplitServiceTest.CLOCK);
        SplitJobService jobs = new SplitJobService(splits, repository, (d, j) -> { }, new SplitRequestParser(42, 1000),
                Long.MAX_VALUE, SplitServiceTest.CLOCK);
        String jobId = jobs.submit(DATASET, "{}".getBytes()).jobId();
        assertThrows(InfrastructureException.class, () -> jobs.run(DATASET, jobId));
        SplitJob failed = jobs.get(DATASET, jobId);
        assertEquals(SplitJob.Status.FAILED, failed.status());
        assertEquals("the manifest store", ((InfrastructureException) SplitJobService.failure(failed)).resource());
    }

    @Test
    void requestsRunAsynchronouslyWhenAskedOrFromTheThresholdOn() {
        List<ImageRecord> records = SyntheticIndex.kermanyLike(DATASET, 600, 3);
        assertTrue(new Stack(records, 600).jobs.runsAsynchronously(DATASET, false));
        assertFalse(new Stack(records, 601).jobs.runsAsynchronously(DATASET, false));
        assertTrue(new Stack(records, 601).jobs.runsAsynchronously(DATASET, true));
        assertFalse(new Stack(records, 1).jobs.runsAsynchronously("never-uploaded", false));
    }

    @Test
    void jobIdsAreRandomAndUnknownOnesAreNotFound() {
        Stack stack = new Stack(SyntheticIndex.kermanyLike(DATASET, 600, 3), Long.MAX_VALUE);
        assertNotEquals(stack.jobs.submit(DATASET, BODY).jobId(), stack.jobs.submit(DATASET, BODY).jobId());
        assertThrows(NotFoundException.class, () -> stack.jobs.get(DATASET, "0".repeat(32)));
    }
}
