package io.cxrpipeline.splits;

/**
 * A split made by an asynchronous invocation: what was asked, and where it stands.
 *
 * @param dataset   the dataset
 * @param jobId     {@value SplitJobService#JOB_ID_HEX_DIGITS} hex digits, random
 * @param request   the request body as it came (re-parsed by the invocation that makes the split)
 * @param status    where the job stands
 * @param splitId   the split, once {@link Status#SUCCEEDED}
 * @param failure   why it failed, once {@link Status#FAILED}
 * @param createdAt ISO-8601 instant the job was accepted
 */
public record SplitJob(String dataset, String jobId, String request, Status status, String splitId, Failure failure,
        String createdAt) {

    /** Where a job stands. */
    public enum Status {
        /** Accepted; its invocation has not started. */
        PENDING,
        /** Its invocation is making the split. */
        RUNNING,
        /** The split is recorded. */
        SUCCEEDED,
        /** The split cannot be made; {@link SplitJob#failure()} says why, as the synchronous request would. */
        FAILED
    }

    /**
     * Why a job failed, in the terms of the error the synchronous request would have answered.
     *
     * @param kind   the kind of the domain error
     * @param field  the request field at fault, or null
     * @param detail what went wrong; for an unavailable dependency, which one
     */
    public record Failure(io.cxrpipeline.common.DomainException.Kind kind, String field, String detail) {
    }

    /** The same job in another state. */
    public SplitJob with(Status newStatus, String newSplitId, Failure newFailure) {
        return new SplitJob(dataset, jobId, request, newStatus, newSplitId, newFailure, createdAt);
    }
}
