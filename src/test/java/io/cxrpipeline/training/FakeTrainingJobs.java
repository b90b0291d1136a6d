package io.cxrpipeline.training;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link TrainingJobs} that records submissions; failures can be queued. */
class FakeTrainingJobs implements TrainingJobs {

    final List<JobSubmission> submitted = new ArrayList<>();
    final Map<String, String> jobsByName = new HashMap<>();
    final List<JobSubmissionException> failures = new ArrayList<>();
    Runnable duringSubmit = () -> {
    };
    int lookups;

    @Override
    public String submit(JobSubmission submission) {
        if (!failures.isEmpty()) {
            throw failures.remove(0);
        }
        submitted.add(submission);
        String jobId = "job-" + submitted.size();
        jobsByName.put(submission.jobName(), jobId);
        duringSubmit.run();
        return jobId;
    }

    @Override
    public Optional<String> findByName(String jobName) {
        lookups++;
        return Optional.ofNullable(jobsByName.get(jobName));
    }
}
