package io.cxrpipeline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;

/** The artifact scan finds harness classes and emulator jars, nested or not, and passes clean zips. */
class FunctionArtifactScanTest {

    @Test
    void findsHarnessClassesInNestedJarsAndEmulatorJarNames() throws IOException {
        byte[] inner = zip("org/gaul/s3proxy/S3Proxy.class", "io/cxrpipeline/local/LocalStack.class");
        byte[] outer = zip("io/cxrpipeline/ingest/IndexingService.class");
        outer = zipWith(outer, "lib/org.gaul.s3proxy-4.1.0.jar", inner);
        List<String> found = new ArrayList<>();
        FunctionArtifactIT.scan("f.zip", new ByteArrayInputStream(outer), found);
        assertEquals(3, found.size(), found.toString());
    }

    @Test
    void passesAZipOfFunctionCodeOnly() throws IOException {
        byte[] clean = zipWith(zip("io/cxrpipeline/ingest/IndexingService.class"), "lib/a.jar",
                zip("io/cxrpipeline/localish/X.class", "org/example/local/Y.class"));
        List<String> found = new ArrayList<>();
        FunctionArtifactIT.scan("f.zip", new ByteArrayInputStream(clean), found);
        assertTrue(found.isEmpty(), found.toString());
    }

    private static byte[] zip(String... names) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (String n : names) {
                z.putNextEntry(new ZipEntry(n));
                z.write(1);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] zipWith(byte[] base, String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out);
                java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new ByteArrayInputStream(base))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                z.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(z);
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }
}
