package io.cxrpipeline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the local stack finds the native executable that CXR_NATIVE names. */
class NativeExecutableTest {

    @TempDir
    Path project;

    @Test
    void aDirectoryNamesTheRunnerInside() throws Exception {
        Path dir = Files.createDirectories(project.resolve("target/native"));
        Files.createDirectories(dir.resolve("cxr-pipeline-1.0.0-SNAPSHOT-native-image-source-jar"));
        Files.writeString(dir.resolve("function.zip"), "zip");
        Path runner = executable(dir.resolve("cxr-pipeline-1.0.0-SNAPSHOT-runner"));
        assertEquals(runner, LocalStack.nativeExecutable(project, "target/native"));
        assertEquals(runner, LocalStack.nativeExecutable(project, runner.toString()));
    }

    @Test
    void aMissingOrNonExecutableRunnerIsAnErrorThatSaysHowToBuildIt() throws Exception {
        Path dir = Files.createDirectories(project.resolve("target/native"));
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> LocalStack.nativeExecutable(project, "target/native"));
        assertTrue(none.getMessage().contains("infra/native/build.sh"), none.getMessage());
        Path plain = Files.writeString(dir.resolve("app-runner"), "not executable");
        assertThrows(IllegalStateException.class, () -> LocalStack.nativeExecutable(project, plain.toString()));
        assertThrows(IllegalStateException.class, () -> LocalStack.nativeExecutable(project, "target/missing-runner"));
    }

    private static Path executable(Path file) throws Exception {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
