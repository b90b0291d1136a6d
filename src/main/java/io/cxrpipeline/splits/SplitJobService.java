package io.cxrpipeline.splits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

import io.cxrpipeline.common.ConflictException;
import io.cxrpipeline.common.DomainException;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.NotFoundException;
import io.cxrpipeline.common.TooLargeException;
import io.cxrpipeline.common.UnprocessableException;

/**
 * Splits too large for one API call: a request is accepted as a {@link SplitJob}, a second invocation makes the
 * split with {@link SplitService#create} (so the split is the one the synchronous request would make: same id,
 * same bytes), and the job records the outcome, or the error the synchronous request would have answered.
 */
public final class SplitJobService {

    /** Length of a job id in hex digits (128 random bits); split ids have {@value SplitService#ID_HEX_DIGITS}. */
    public static final int JOB_ID_HEX_DIGITS = 32;

    private final SplitService splits;
    private final SplitRepository repository;
    private final SplitJobLauncher launcher;
    private final SplitRequestParser parser;
    private final long asyncThreshold;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param asyncThreshold the number of indexed images from which a request runs asynchronously even when it
     *                       does not ask to
     */
    public SplitJobService(SplitService splits, SplitRepository repository, SplitJobLauncher launcher,
            SplitRequestParser parser, long asyncThreshold, Clock clock) {
        this.splits = splits;
        this.repository = repository;
        this.launcher = launcher;
        this.parser = parser;
        this.asyncThreshold = asyncThreshold;
        this.clock = clock;
    }

    /** Whether a split request runs asynchronously: when it asks to, or when the dataset reaches the threshold. */
    public boolean runsAsynchronously(String dataset, boolean asked) {
        return asked || splits.indexedCount(dataset) >= asyncThreshold;
    }

    /**
     * Accepts a request (already validated by the caller) and starts the invocation that makes its split.
     *
     * @param body the request body, as the synchronous route would parse it
     */
    public SplitJob submit(String dataset, byte[] body) {
        String jobId = HexFormat.of().formatHex(nextBytes());
        SplitJob job = new SplitJob(dataset, jobId, new String(body, StandardCharsets.UTF_8), SplitJob.Status.PENDING,
                null, null, clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        repository.saveJob(job);
        launcher.launch(dataset, jobId);
        return job;
    }

    private byte[] nextBytes() {
        byte[] bytes = new byte[JOB_ID_HEX_DIGITS / 2];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * Makes the job's split, recording the outcome. A job already done is returned as it is (asynchronous
     * invocations may be delivered more than once). Errors of the request or the data are recorded as the job's
     * failure; an unavailable dependency is recorded and rethrown, so that the invocation is retried.
     *
     * @throws NotFoundException       when there is no such job
     * @throws InfrastructureException when a dependency is unavailable
     */
    public SplitJob run(String dataset, String jobId) {
        SplitJob job = get(dataset, jobId);
        if (job.status() == SplitJob.Status.SUCCEEDED) {
            return job;
        }
        repository.saveJob(job.with(SplitJob.Status.RUNNING, null, null));
        SplitJob done;
        try {
            SplitService.Outcome outcome = create(dataset, parser.parse(job.request().getBytes(StandardCharsets.UTF_8)));
            done = job.with(SplitJob.Status.SUCCEEDED, outcome.split().splitId(), null);
        } catch (InfrastructureException e) {
            repository.saveJob(job.with(SplitJob.Status.FAILED, null,
                    new SplitJob.Failure(DomainException.Kind.UNAVAILABLE, null, e.resource())));
            throw e;
        } catch (DomainException e) {
            done = job.with(SplitJob.Status.FAILED, null, new SplitJob.Failure(e.kind(), e.field(), e.getMessage()));
        }
        repository.saveJob(done);
        return done;
    }

    /**
     * Makes a split as {@code POST /datasets/{dataset}/splits} does, in the domain's errors: a class with too few
     * groups is a 422 naming the dataset, a manifest store failure is unavailable.
     */
    public SplitService.Outcome create(String dataset, SplitParameters parameters) {
        try {
            return splits.create(dataset, parameters);
        } catch (InsufficientGroupsException e) {
            throw new UnprocessableException("dataset", e.getMessage() + " (dataset '" + dataset + "')");
        } catch (IOException e) {
            throw new InfrastructureException("the manifest store", "split of " + dataset + " failed", e);
        }
    }

    /**
     * A job.
     *
     * @throws NotFoundException when there is none with that id
     */
    public SplitJob get(String dataset, String jobId) {
        return repository.findJob(dataset, jobId)
                .orElseThrow(() -> new NotFoundException("dataset '" + dataset + "' has no split job '" + jobId + "'"));
    }

    /** The exception the synchronous request would have thrown for a failed job. */
    public static DomainException failure(SplitJob job) {
        SplitJob.Failure f = job.failure();
        return switch (f.kind()) {
            case INVALID_INPUT -> new InvalidInputException(f.field(), f.detail());
            case NOT_FOUND -> new NotFoundException(f.field(), f.detail());
            case CONFLICT -> new ConflictException(f.field(), f.detail());
            case UNPROCESSABLE -> new UnprocessableException(f.field(), f.detail());
            case TOO_LARGE -> new TooLargeException(f.field(), f.detail());
            case UNAVAILABLE -> new InfrastructureException(f.detail(), "post the split request again",
                    "split job " + job.jobId() + " of " + job.dataset() + " found " + f.detail() + " unavailable",
                    null);
        };
    }
}
