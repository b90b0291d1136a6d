package io.cxrpipeline.splits.aws;

import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.splits.SplitJobEvent;
import io.cxrpipeline.splits.SplitJobLauncher;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * {@link SplitJobLauncher} on Lambda: an {@code Event} (asynchronous) invoke of the api function with a
 * {@link SplitJobEvent}. Lambda queues the event, retries a failed invocation twice, and the invocation has the
 * function's own timeout (up to 15 minutes) instead of API Gateway's 30 seconds.
 */
public class LambdaSplitJobLauncher implements SplitJobLauncher {

    private final LambdaClient lambda;
    private final String functionName;

    public LambdaSplitJobLauncher(LambdaClient lambda, String functionName) {
        this.lambda = lambda;
        this.functionName = functionName;
    }

    @Override
    public void launch(String dataset, String jobId) {
        InvokeResponse response;
        try {
            response = lambda.invoke(r -> r.functionName(functionName).invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(SplitJobEvent.json(dataset, jobId))));
        } catch (SdkException e) {
            throw new InfrastructureException("the split job queue",
                    "cannot invoke " + functionName + " for split job " + jobId, e);
        }
        if (response.statusCode() != 202) {
            throw new InfrastructureException("the split job queue",
                    "invoke of " + functionName + " for split job " + jobId + " answered " + response.statusCode());
        }
    }
}
