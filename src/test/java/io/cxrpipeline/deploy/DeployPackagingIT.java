package io.cxrpipeline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cxrpipeline.local.EmbeddedS3;
import io.cxrpipeline.testing.Emulators;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The deploy path as far as it goes without AWS, run after {@code package} built target/jvm/function.zip:
 * infra/deploy/check (cfn-lint with 0 errors and 0 warnings, {@code sam validate --lint}, {@code sam build},
 * {@code sam package}) into S3Proxy, then every code artifact of the packaged template is looked up in the bucket:
 * it must exist, with the size and the MD5 (SAM's object key) of the zip the function's CodeUri named. Where
 * target/native/function.zip is not native (no native build in CI), the check packages a placeholder in its own
 * copy and says so; where the SAM CLI or cfn-lint cannot be installed, this test fails with the reason.
 */
class DeployPackagingIT {

    static final String BUCKET = "cxr-deploy-check";
    static final Path OUT = Path.of("target/deploy-check");
    static final List<String> output = new ArrayList<>();
    static CfnTemplate source;
    static CfnTemplate packaged;

    @BeforeAll
    static void runTheDeployCheck() throws Exception {
        Emulators emulators = Emulators.get();
        try {
            emulators.s3().createBucket(b -> b.bucket(BUCKET));
        } catch (BucketAlreadyOwnedByYouException ignored) {
            // a rerun in the same JVM
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "infra/deploy/check", "--placeholder-native",
                "--s3-bucket", BUCKET, "--out", OUT.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_ENDPOINT_URL_S3", emulators.s3Endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_KEY);
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Process process = pb.start();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null;) {
                System.out.println("[deploy check] " + line);
                output.add(line);
                tail.add(line);
                if (tail.size() > 40) {
                    tail.removeFirst();
                }
            }
        }
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("infra/deploy/check did not finish in 15 minutes");
        }
        if (process.exitValue() != 0) {
            fail("infra/deploy/check failed (exit " + process.exitValue() + "):\n" + String.join("\n", tail));
        }
        source = CfnTemplate.load(OUT.resolve("template.yaml"));
        packaged = CfnTemplate.load(OUT.resolve("packaged.yaml"));
    }

    static String md5(Path file) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                md5.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    @Test
    void everyFunctionsCodeIsAnUploadedObjectOfTheArtifactItsCodeUriNamed() throws Exception {
        Map<String, Map<String, Object>> functions = packaged.functions();
        assertEquals(source.functions().keySet(), functions.keySet());
        for (var e : functions.entrySet()) {
            String name = e.getKey();
            Object uri = e.getValue().containsKey("ImageUri") ? e.getValue().get("ImageUri")
                    : e.getValue().get("CodeUri");
            assertTrue(uri instanceof String s && s.startsWith("s3://" + BUCKET + "/"), name + ": " + uri);
            String key = ((String) uri).substring(("s3://" + BUCKET + "/").length());
            Path artifact = OUT.resolve((String) source.properties(name).get("CodeUri"));
            HeadObjectResponse head = Emulators.get().s3().headObject(b -> b.bucket(BUCKET).key(key));
            assertEquals(Files.size(artifact), head.contentLength(), name + ": object size vs " + artifact);
            assertEquals(md5(artifact), key, name + ": SAM names the object by the MD5 of " + artifact);
        }
    }

    @Test
    void predictShipsTheJvmZipThatMavenBuilt() throws Exception {
        String uri = (String) packaged.properties("PredictFunction").get("CodeUri");
        assertEquals("s3://" + BUCKET + "/" + md5(Path.of("target/jvm/function.zip")), uri);
    }

    @Test
    void theNativeFunctionsArePackagedFromARealNativeZipOrSaySo() throws Exception {
        Path nativeZip = Path.of("target/native/function.zip");
        boolean placeholder = output.stream().anyMatch(l -> l.startsWith("PLACEHOLDER:"));
        if (placeholder) {
            assertTrue(output.stream().anyMatch(l -> l.contains("NOT checked")), "the check says what is unchecked");
            assertFalse(Files.exists(nativeZip) && md5(nativeZip).equals(md5(OUT.resolve("target/native/function.zip"))),
                    "the placeholder never lands in target/");
        } else {
            assertEquals(md5(nativeZip), md5(OUT.resolve("target/native/function.zip")));
        }
    }

    @Test
    void nothingLocalIsLeftInThePackagedTemplate() throws IOException {
        String text = Files.readString(OUT.resolve("packaged.yaml"));
        assertFalse(text.contains("target/"), "a path to a local artifact was not packaged");
        for (String step : List.of("cfn-lint: 0 errors, 0 warnings", "sam validate --lint", "sam build",
                "sam package")) {
            assertTrue(output.stream().anyMatch(l -> l.endsWith(" ms  " + step)), "the check ran " + step);
        }
    }
}
