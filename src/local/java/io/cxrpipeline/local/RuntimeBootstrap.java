package io.cxrpipeline.local;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.funqy.lambda.FunqyStreamHandler;

/**
 * The Java runtime's side of the Lambda Runtime API, for the local stack: polls for events and hands each to
 * Funqy's stream handler, the same handler a JVM Lambda calls. (The native build polls with Quarkus' own loop.)
 */
public final class RuntimeBootstrap {

    private RuntimeBootstrap() {
    }

    public static void main(String[] args) throws Exception {
        String base = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime";
        String function = System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "function");
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper mapper = new ObjectMapper();
        RequestStreamHandler handler;
        try {
            handler = new FunqyStreamHandler();
        } catch (Throwable e) {
            post(http, base + "/init/error", error(mapper, e));
            throw e;
        }
        while (true) {
            HttpResponse<byte[]> next = http.send(HttpRequest.newBuilder(URI.create(base + "/invocation/next")).GET()
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            String requestId = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
            long deadline = next.headers().firstValueAsLong("Lambda-Runtime-Deadline-Ms").orElse(Long.MAX_VALUE);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(next.body()), out, context(function, requestId, deadline));
                post(http, base + "/invocation/" + requestId + "/response", out.toByteArray());
            } catch (Throwable e) {
                e.printStackTrace();
                post(http, base + "/invocation/" + requestId + "/error", error(mapper, e));
            }
        }
    }

    private static byte[] error(ObjectMapper mapper, Throwable e) throws Exception {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return mapper.writeValueAsBytes(Map.of("errorType", e.getClass().getName(),
                "errorMessage", String.valueOf(e.getMessage()), "stackTrace", trace.toString().lines().limit(20).toList()));
    }

    private static void post(HttpClient http, String url, byte[] body) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /**
     * The context a Lambda invocation gets: identification, the time left before {@code deadline} (epoch
     * milliseconds), the JVM's heap as the memory limit, and a logger on standard output.
     */
    public static Context context(String function, String requestId, long deadline) {
        return new Context() {
            @Override
            public String getAwsRequestId() {
                return requestId;
            }

            @Override
            public String getLogGroupName() {
                return "/aws/lambda/" + function;
            }

            @Override
            public String getLogStreamName() {
                return "local";
            }

            @Override
            public String getFunctionName() {
                return function;
            }

            @Override
            public String getFunctionVersion() {
                return "$LATEST";
            }

            @Override
            public String getInvokedFunctionArn() {
                return "arn:aws:lambda:us-east-1:000000000000:function:" + function;
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
                return (int) Math.max(0, Math.min(Integer.MAX_VALUE, deadline - System.currentTimeMillis()));
            }

            @Override
            public int getMemoryLimitInMB() {
                return (int) (Runtime.getRuntime().maxMemory() / (1024 * 1024));
            }

            @Override
            public LambdaLogger getLogger() {
                return new LambdaLogger() {
                    @Override
                    public void log(String message) {
                        System.out.print(message);
                    }

                    @Override
                    public void log(byte[] message) {
                        System.out.write(message, 0, message.length);
                    }
                };
            }
        };
    }
}
