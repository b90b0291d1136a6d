package io.cxrpipeline.training;

import java.util.Locale;

/**
 * The life of a training run. PENDING: recorded, not yet accepted by AWS Batch; then Batch's own states.
 * A run only ever moves to a higher rank; SUCCEEDED and FAILED share the top rank, so neither replaces the other.
 */
public enum RunStatus {
    PENDING(0), SUBMITTED(1), RUNNABLE(2), STARTING(3), RUNNING(4), SUCCEEDED(5), FAILED(5);

    private final int rank;

    RunStatus(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED;
    }

    /**
     * The run status of a Batch job status; null for anything unknown. Batch's own PENDING (waiting on
     * job dependencies, which training jobs do not have) counts as SUBMITTED: the job is in Batch's hands.
     */
    public static RunStatus fromBatch(String batchStatus) {
        if (batchStatus == null) {
            return null;
        }
        String s = batchStatus.toUpperCase(Locale.ROOT);
        if (s.equals("PENDING")) {
            return SUBMITTED;
        }
        for (RunStatus status : values()) {
            if (status != PENDING && status.name().equals(s)) {
                return status;
            }
        }
        return null;
    }
}
