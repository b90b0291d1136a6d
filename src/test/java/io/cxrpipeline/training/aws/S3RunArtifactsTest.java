package io.cxrpipeline.training.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.testing.Emulators;
import software.amazon.awssdk.core.sync.RequestBody;

class S3RunArtifactsTest {

    private final S3RunArtifacts artifacts = new S3RunArtifacts(Emulators.get().s3());

    @Test
    void aManifestIsStreamedLineByLineAndAMissingOneIsAbsent() {
        String key = "manifests/artifacts-test/train.jsonl";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("{\"source-ref\":\"s3://b/images/d/").append(i).append(".png\"}\r\n");
        }
        Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key(key), RequestBody.fromString(text.toString()));
        String uri = "s3://" + Emulators.BUCKET + "/" + key;

        List<String> lines = new ArrayList<>();
        assertTrue(artifacts.lines(uri, lines::add));
        assertEquals(20_000, lines.size());
        assertEquals("{\"source-ref\":\"s3://b/images/d/19999.png\"}", lines.get(19_999));
        assertEquals(text.toString(), artifacts.read(uri).orElseThrow());

        assertFalse(artifacts.lines("s3://" + Emulators.BUCKET + "/manifests/artifacts-test/none.jsonl", lines::add));
        assertEquals(Optional.empty(), artifacts.read("s3://" + Emulators.BUCKET + "/manifests/artifacts-test/none.jsonl"));
    }
}
