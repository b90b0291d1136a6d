package io.cxrpipeline.training;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An EventBridge "Batch Job State Change" event, reduced to what the run tracking reads. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchJobStateChange(
        String version,
        String id,
        @JsonProperty("detail-type") String detailType,
        String source,
        String account,
        String time,
        String region,
        List<String> resources,
        Detail detail) {

    /** The job as DescribeJobs shows it. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(String jobArn, String jobName, String jobId, String jobQueue, String status,
            String statusReason, Long createdAt, Long startedAt, Long stoppedAt, Map<String, String> tags,
            Container container, List<Attempt> attempts) {
    }

    /** The job's container: its exit code and, when ECS could not run it, the reason. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Container(Integer exitCode, String reason, String logStreamName, String taskArn) {
    }

    /** One attempt of a retried job. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Attempt(Container container, Long startedAt, Long stoppedAt, String statusReason) {
    }
}
