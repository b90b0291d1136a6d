package io.cxrpipeline.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;

/**
 * The Lambda artifacts carry function code only: no class of the local stack, the demo or the sample data, and
 * none of the emulators (S3Proxy and its jclouds), in the zip itself or in any jar inside it.
 */
class FunctionArtifactIT {

    /** Class or resource paths that belong to the local stack or an emulator. */
    static final Pattern HARNESS_CLASS = Pattern.compile("(^|/)(io/cxrpipeline/local/|org/gaul/|org/jclouds/)");
    /** Jar names of emulator dependencies. */
    static final Pattern HARNESS_JAR = Pattern.compile("(?i)(s3proxy|jclouds)");

    @Test
    void functionZipAndRunnerJarHoldNoHarnessOrEmulatorClass() throws IOException {
        List<Path> artifacts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("target"), 2)) {
            files.filter(p -> p.getFileName().toString().equals("function.zip")
                    || p.getFileName().toString().endsWith("-runner.jar")).forEach(artifacts::add);
        }
        assertTrue(!artifacts.isEmpty(), "no target/function.zip or runner jar: run ./mvnw package first");
        List<String> offending = new ArrayList<>();
        for (Path artifact : artifacts) {
            try (InputStream in = Files.newInputStream(artifact)) {
                scan(artifact.toString(), in, offending);
            }
        }
        assertTrue(offending.isEmpty(), "harness or emulator code in the Lambda artifact: " + offending);
    }

    /** Walks a zip and the jars nested in it, collecting offending entries. */
    static void scan(String where, InputStream zip, List<String> offending) throws IOException {
        ZipInputStream entries = new ZipInputStream(zip);
        for (ZipEntry e; (e = entries.getNextEntry()) != null;) {
            String name = e.getName();
            if (HARNESS_CLASS.matcher(name).find()) {
                offending.add(where + "!" + name);
            }
            if (name.endsWith(".jar")) {
                String jar = name.substring(name.lastIndexOf('/') + 1);
                if (HARNESS_JAR.matcher(jar).find()) {
                    offending.add(where + "!" + name);
                }
                // Not closed: closing would close the outer stream too.
                scan(where + "!" + name, new NonClosing(entries), offending);
            }
        }
    }

    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
