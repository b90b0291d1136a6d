package io.cxrpipeline.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import io.quarkus.funqy.lambda.FunqyStreamHandler;

/**
 * What the AWS Java runtime does in a fresh container, for {@link InferenceBenchmark}: instantiate the packaged
 * function's handler ({@code FunqyStreamHandler}: boots Quarkus, whose startup loads the model) and invoke it with
 * one API Gateway event. Run with the runner jar on the class path; prints ms since JVM start.
 * Argument: the event JSON file.
 */
public final class LambdaHandlerColdStart {

    private LambdaHandlerColdStart() {
    }

    public static void main(String[] args) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        byte[] event = Files.readAllBytes(Path.of(args[0]));
        long mainAt = System.currentTimeMillis() - jvmStart;
        FunqyStreamHandler handler = new FunqyStreamHandler();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new BenchContext());
        long firstAt = System.currentTimeMillis() - jvmStart;
        String response = out.toString(StandardCharsets.UTF_8);
        int status = response.contains("\"statusCode\":200") ? 200 : -1;
        long t = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), new BenchContext());
        long warmMs = (System.nanoTime() - t) / 1_000_000;
        System.out.println("LAMBDA main=" + mainAt + " first=" + firstAt + " status=" + status + " warm=" + warmMs);
        System.exit(0);
    }

    /** The context a Lambda invocation gets; only identification is filled in. */
    static final class BenchContext implements Context {
        @Override
        public String getAwsRequestId() {
            return "cold-start";
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/predict";
        }

        @Override
        public String getLogStreamName() {
            return "bench";
        }

        @Override
        public String getFunctionName() {
            return "predict";
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:123456789012:function:predict";
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return 60_000;
        }

        @Override
        public int getMemoryLimitInMB() {
            return 10240;
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    System.err.println(message);
                }

                @Override
                public void log(byte[] message) {
                    System.err.println(new String(message, StandardCharsets.UTF_8));
                }
            };
        }
    }
}
