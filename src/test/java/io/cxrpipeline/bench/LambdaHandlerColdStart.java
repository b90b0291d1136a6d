package io.cxrpipeline.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.amazonaws.services.lambda.runtime.Context;

import io.cxrpipeline.local.RuntimeBootstrap;
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
        handler.handleRequest(new ByteArrayInputStream(event), out, context());
        long firstAt = System.currentTimeMillis() - jvmStart;
        String response = out.toString(StandardCharsets.UTF_8);
        int status = response.contains("\"statusCode\":200") ? 200 : -1;
        long t = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), context());
        long warmMs = (System.nanoTime() - t) / 1_000_000;
        System.out.println("LAMBDA main=" + mainAt + " first=" + firstAt + " status=" + status + " warm=" + warmMs);
        System.exit(0);
    }

    private static Context context() {
        return RuntimeBootstrap.context("predict", "cold-start", System.currentTimeMillis() + 60_000);
    }
}
