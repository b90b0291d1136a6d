package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The training program's own pytest suite (infra/training/tests), run from Maven so that {@code mvn verify}
 * covers it. It fails, never skips, when Debian's python3 or its torch is missing.
 */
class TrainingProgramTest {

    static final String PYTHON = "/usr/bin/python3";

    @Test
    void pytestSuitePasses() throws IOException, InterruptedException {
        Path log = Path.of("target/training-pytest.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-m", "pytest", "infra/training/tests", "-q",
                "-p", "no:cacheprovider")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().put("MPLBACKEND", "Agg");
        Process p = pb.start();
        // About a minute on two idle cores; the limit only guards against a hung run on a loaded machine.
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            fail("pytest did not finish in 15 minutes:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertEquals(0, p.exitValue(), "pytest failed:\n" + output);
    }
}
