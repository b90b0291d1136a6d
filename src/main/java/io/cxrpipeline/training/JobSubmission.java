package io.cxrpipeline.training;

import java.util.Map;

/**
 * One AWS Batch job for one run: its name ({@code cxr-train-<runId>}), the container environment (the
 * {@code CXR_*} contract of the training program) and the job tags ({@code cxr:runId}).
 */
public record JobSubmission(String runId, String jobName, Map<String, String> environment, Map<String, String> tags) {
}
