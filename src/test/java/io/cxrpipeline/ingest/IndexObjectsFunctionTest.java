package io.cxrpipeline.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cxrpipeline.catalog.aws.ImageItems;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import io.cxrpipeline.testing.EventFixtures;
import io.cxrpipeline.local.S3Events;

/**
 * {@code index-objects} end to end: real bytes uploaded through the S3 API, the real S3 event JSON delivered
 * through the Lambda mock event server, the result read back through the DynamoDB API.
 */
@QuarkusTest
@TestProfile(IndexObjectsTestProfile.class)
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class IndexObjectsFunctionTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String BUCKET = Emulators.BUCKET;

    private final String ds = "fn-" + UUID.randomUUID().toString().substring(0, 8);

    /** Uploads through the S3 API and returns the record S3 would notify. */
    private ObjectNode upload(String imageId, byte[] bytes, Map<String, String> metadata) {
        String key = "images/" + ds + "/" + imageId;
        String eTag = ObjectEvent.unquote(Emulators.get().s3().putObject(
                b -> b.bucket(BUCKET).key(key).metadata(metadata), RequestBody.fromBytes(bytes)).eTag());
        return S3Events.putRecord(BUCKET, key, bytes.length, eTag, S3Events.nextSequencer());
    }

    private ObjectNode upload(String imageId, byte[] bytes) {
        return upload(imageId, bytes, Map.of());
    }

    private ObjectNode delete(String imageId) {
        String key = "images/" + ds + "/" + imageId;
        Emulators.get().s3().deleteObject(b -> b.bucket(BUCKET).key(key));
        return S3Events.deleteRecord(BUCKET, key, S3Events.nextSequencer());
    }

    private static Response deliver(String json) {
        return given().contentType("application/json").body(json).when().post();
    }

    private Map<String, AttributeValue> item(String imageId) {
        return Emulators.get().dynamo().getItem(b -> b.tableName(Emulators.TABLE).consistentRead(true)
                .key(ImageItems.key(ds, imageId))).item();
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s() != null ? v.s() : v.n();
    }

    @Test
    void fixtureEventIndexesTheUploadedImage() {
        byte[] jpeg = TestImages.jpeg(1024, 900, 1);
        ObjectNode record = upload("train/PNEUMONIA/person1_bacteria_1.jpeg", jpeg);
        deliver(S3Events.notification(record)).then().statusCode(200)
                .body("records", equalTo(1))
                .body("outcomes[0].outcome", equalTo("WRITTEN"))
                .body("outcomes[0].status", equalTo("INDEXED"));
        Map<String, AttributeValue> item = item("train/PNEUMONIA/person1_bacteria_1.jpeg");
        assertEquals("INDEXED", s(item, "status"));
        assertEquals("PNEUMONIA", s(item, "label"));
        assertEquals("bacteria", s(item, "subtype"));
        assertEquals("person1", s(item, "patient"));
        assertEquals("train", s(item, "originalSplit"));
        assertEquals("JPEG", s(item, "format"));
        assertEquals("1024", s(item, "width"));
        assertEquals("900", s(item, "height"));
        assertEquals("1", s(item, "channels"));
        assertEquals("8", s(item, "bitDepth"));
        assertEquals(Long.toString(jpeg.length), s(item, "sizeBytes"));
        assertEquals(Sequencers.normalise(record.at("/s3/object/sequencer").asText()), s(item, "sequencer"));
        assertTrue(s(item, "gsi1pk").startsWith("DS#" + ds + "#C#PNEUMONIA#S#"));
        assertEquals("P:person1#train/PNEUMONIA/person1_bacteria_1.jpeg", s(item, "gsi1sk"));
    }

    @Test
    void sampleDatasetIsIndexedWithClassSubtypePatientSplitAndDimensions(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        var options = io.cxrpipeline.local.sample.SampleData.parse(new String[] {"--out", dir.toString(),
                "--count", "24", "--seed", "5", "--min-size", "200", "--max-size", "320", "--dicom-fraction", "0.4"});
        var plan = io.cxrpipeline.local.sample.SampleData.plan(options);
        io.cxrpipeline.local.sample.SampleData.write(options, plan);
        List<ObjectNode> records = new ArrayList<>();
        for (var p : plan) {
            records.add(upload(p.path(), java.nio.file.Files.readAllBytes(dir.resolve("chest_xray").resolve(p.path()))));
        }
        deliver(S3Events.notification(records)).then().statusCode(200).body("counts.WRITTEN", equalTo(plan.size()));
        KeyRules rules = KeyRules.defaults();
        int dicom = 0;
        for (var p : plan) {
            Map<String, AttributeValue> item = item(p.path());
            assertEquals("INDEXED", s(item, "status"), p.path());
            assertEquals(p.label(), s(item, "label"), p.path());
            assertEquals(p.subtype(), s(item, "subtype"), p.path());
            assertEquals(p.split(), s(item, "originalSplit"), p.path());
            if (p.dicom() != null) {
                // The DICOM PatientID, hashed with the test profile's salt; never the raw ID.
                assertEquals(new PatientIds(java.util.Optional.of("test-only-patient-id-salt")).hash(p.dicom().patientId()),
                        s(item, "patient"), p.path());
                assertEquals("DICOM", s(item, "format"), p.path());
                assertEquals(p.dicom().view(), s(item, "view"), p.path());
                assertEquals(p.dicom().studyUid(), s(item, "study"), p.path());
                assertEquals(p.dicom().phi() || p.dicom().burnedIn(), item.containsKey("phi"), p.path());
                dicom++;
            } else {
                assertEquals(rules.derive(p.path(), Map.of()).patient(), s(item, "patient"), p.path());
            }
            assertEquals(Integer.toString(p.width()), s(item, "width"), p.path());
            assertEquals(Integer.toString(p.height()), s(item, "height"), p.path());
            assertEquals("1", s(item, "channels"), p.path());
        }
        assertTrue(dicom > 0 && dicom < plan.size(), "DICOM and JPEG: " + dicom);
    }

    @Test
    void deleteFixtureDeindexesAndTheRedeliveredCreateCannotBringItBack() {
        ObjectNode put = upload("test/NORMAL/IM-0001-0001.jpeg", TestImages.jpeg(300, 300, 2));
        deliver(S3Events.notification(put)).then().statusCode(200);
        ObjectNode del = delete("test/NORMAL/IM-0001-0001.jpeg");
        deliver(S3Events.notification(del)).then().statusCode(200).body("outcomes[0].status", equalTo("DELETED"));
        deliver(S3Events.notification(put)).then().statusCode(200).body("outcomes[0].outcome", equalTo("STALE"));
        Map<String, AttributeValue> item = item("test/NORMAL/IM-0001-0001.jpeg");
        assertEquals("DELETED", s(item, "status"));
        assertNull(item.get("gsi1pk"));
    }

    @Test
    void badUploadCorpusGetsPreciseEntriesAndNothingIsLost() {
        byte[] big = TestImages.jpeg(1400, 1200, 3);
        assertTrue(big.length > 64 * 1024, "exercises the tail read");
        List<ObjectNode> records = List.of(
                upload("train/NORMAL/notes.jpeg", TestImages.text("these are my notes, not an X-ray\n")),
                upload("train/NORMAL/truncated.jpeg", TestImages.cut(big, big.length - 5000)),
                upload("train/NORMAL/empty.jpeg", new byte[0]),
                upload("train/NORMAL/huge.png", TestImages.pngHeaderOnly(100_000, 100_000)),
                upload("train/COVID/person9_virus_1.jpeg", TestImages.jpeg(200, 200, 4)),
                upload("train/NORMAL/scan.dcm", TestImages.dicom()),
                upload("train/NORMAL/chest scan 1.jpeg", big),
                upload("train/PNEUMONIA/person5_virus_1+2.jpeg", TestImages.jpeg(210, 200, 5)),
                upload("test/PNEUMONIA/person6_bacteria_röntgen_é.jpeg", TestImages.jpeg(220, 200, 6)),
                upload("inbox/scan-17.png", TestImages.png(64, 64, java.awt.image.BufferedImage.TYPE_BYTE_GRAY, 7),
                        Map.of("class", "normal", "patient-id", "p-0042")));
        Response r = deliver(S3Events.notification(records));
        r.then().statusCode(200).body("records", equalTo(records.size()))
                .body("counts.WRITTEN", equalTo(records.size()));

        assertRejected("train/NORMAL/notes.jpeg", "not an image");
        assertRejected("train/NORMAL/truncated.jpeg", "truncated JPEG: no end-of-image marker");
        assertRejected("train/NORMAL/empty.jpeg", "zero bytes");
        assertRejected("train/NORMAL/huge.png", "dimensions 100000x100000 over the pixel limit of 50000000");
        assertRejected("train/COVID/person9_virus_1.jpeg", "unknown class 'COVID'");
        assertRejected("train/NORMAL/scan.dcm", TestImages.DICOM_REASON);
        assertEquals("100000", s(item("train/NORMAL/huge.png"), "width"));

        Map<String, AttributeValue> space = item("train/NORMAL/chest scan 1.jpeg");
        assertEquals("INDEXED", s(space, "status"));
        assertEquals("images/" + ds + "/train/NORMAL/chest scan 1.jpeg", s(space, "key"));
        assertEquals("1400", s(space, "width"));
        Map<String, AttributeValue> plus = item("train/PNEUMONIA/person5_virus_1+2.jpeg");
        assertEquals("INDEXED", s(plus, "status"));
        assertEquals("person5", s(plus, "patient"));
        assertEquals("virus", s(plus, "subtype"));
        Map<String, AttributeValue> nonAscii = item("test/PNEUMONIA/person6_bacteria_röntgen_é.jpeg");
        assertEquals("INDEXED", s(nonAscii, "status"));
        assertEquals("test", s(nonAscii, "originalSplit"));
        Map<String, AttributeValue> meta = item("inbox/scan-17.png");
        assertEquals("INDEXED", s(meta, "status"));
        assertEquals("NORMAL", s(meta, "label"));
        assertEquals("p-0042", s(meta, "patient"));
        assertEquals("PNG", s(meta, "format"));
    }

    private void assertRejected(String imageId, String reason) {
        Map<String, AttributeValue> item = item(imageId);
        assertEquals("REJECTED", s(item, "status"), imageId);
        assertEquals(reason, s(item, "reason"), imageId);
        assertTrue(s(item, "gsi1pk").startsWith("DS#" + ds + "#X#REJECTED#S#"), imageId);
    }

    @Test
    void sameContentTwiceIsADuplicateAndAcrossClassesALabelConflict() {
        byte[] img = TestImages.jpeg(256, 256, 8);
        deliver(S3Events.notification(upload("train/NORMAL/IM-0100-0001.jpeg", img),
                upload("test/NORMAL/IM-0100-0001.jpeg", img),
                upload("val/PNEUMONIA/person3_virus_7.jpeg", img))).then().statusCode(200);
        Map<String, AttributeValue> conflict = item("test/NORMAL/IM-0100-0001.jpeg");
        assertEquals("CONFLICT", s(conflict, "status"));
        assertEquals("label conflict: same content labelled NORMAL, PNEUMONIA", s(conflict, "reason"));
        assertTrue(s(conflict, "gsi1pk").startsWith("DS#" + ds + "#X#CONFLICT#S#"), "in no class partition");
        Map<String, AttributeValue> dup = item("train/NORMAL/IM-0100-0001.jpeg");
        assertEquals("DUPLICATE", s(dup, "status"));
        assertEquals("test/NORMAL/IM-0100-0001.jpeg", s(dup, "duplicateOf"));
        assertTrue(s(dup, "gsi1pk").startsWith("DS#" + ds + "#X#DUPLICATE#S#"));
        assertEquals("label conflict: same content as test/NORMAL/IM-0100-0001.jpeg labelled NORMAL",
                s(item("val/PNEUMONIA/person3_virus_7.jpeg"), "reason"));
    }

    /** The dataset's content-group items, read from the table itself. */
    private long contentItems() {
        return Emulators.get().dynamo().scanPaginator(ScanRequest.builder().tableName(Emulators.TABLE)
                .filterExpression("begins_with(pk, :p)")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("CONTENT#" + ds + "#"))).build())
                .stream().mapToLong(r -> r.count()).sum();
    }

    @Test
    void deletingAndOverwritingImagesLeavesNoContentItemBehind() {
        List<ObjectNode> uploads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            uploads.add(upload("train/NORMAL/IM-" + (1000 + i) + "-0001.jpeg", TestImages.jpeg(64, 64, 300 + i)));
        }
        deliver(S3Events.notification(uploads)).then().statusCode(200);
        assertEquals(50, contentItems());
        List<ObjectNode> overwrites = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            overwrites.add(upload("train/NORMAL/IM-" + (1000 + i) + "-0001.jpeg", TestImages.jpeg(64, 64, 400 + i)));
        }
        deliver(S3Events.notification(overwrites)).then().statusCode(200);
        assertEquals(50, contentItems(), "an overwritten content's item goes with it");
        List<ObjectNode> deletes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            deletes.add(delete("train/NORMAL/IM-" + (1000 + i) + "-0001.jpeg"));
        }
        deliver(S3Events.notification(deletes)).then().statusCode(200);
        assertEquals(0, contentItems(), "no CONTENT# item outlives the last image holding it");
    }

    @Test
    void everyEventTwiceInShuffledOrderLeavesWhatOneOrderedPassLeaves() {
        Random random = new Random(42);
        List<byte[]> contents = List.of(TestImages.jpeg(120, 100, 11), TestImages.jpeg(120, 100, 12),
                TestImages.jpeg(130, 100, 13), TestImages.text("oops"), new byte[0]);
        List<String> ids = List.of("train/NORMAL/IM-0001-0001.jpeg", "train/NORMAL/IM-0002-0001.jpeg",
                "test/NORMAL/IM-0001-0001.jpeg", "train/PNEUMONIA/person1_bacteria_1.jpeg",
                "val/PNEUMONIA/person1_virus_2.jpeg", "train/Other/x.jpeg");
        // The same history in two datasets: one gets an ordered pass, the other every event twice, shuffled.
        String ordered = ds + "-o";
        String shuffled = ds + "-s";
        List<ObjectNode> orderedEvents = new ArrayList<>();
        List<ObjectNode> shuffledEvents = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String id = ids.get(random.nextInt(ids.size()));
            boolean remove = random.nextInt(5) == 0;
            byte[] bytes = contents.get(random.nextInt(contents.size()));
            String sequencer = S3Events.nextSequencer(); // per key, so both datasets may share it
            for (String d : List.of(ordered, shuffled)) {
                String key = "images/" + d + "/" + id;
                ObjectNode event;
                if (remove) {
                    Emulators.get().s3().deleteObject(b -> b.bucket(BUCKET).key(key));
                    event = S3Events.deleteRecord(BUCKET, key, sequencer);
                } else {
                    String eTag = ObjectEvent.unquote(Emulators.get().s3().putObject(b -> b.bucket(BUCKET).key(key),
                            RequestBody.fromBytes(bytes)).eTag());
                    event = S3Events.putRecord(BUCKET, key, bytes.length, eTag, sequencer);
                }
                (d.equals(ordered) ? orderedEvents : shuffledEvents).add(event);
            }
        }
        for (ObjectNode e : orderedEvents) {
            deliver(S3Events.notification(e)).then().statusCode(200);
        }
        List<ObjectNode> twice = new ArrayList<>(shuffledEvents);
        twice.addAll(shuffledEvents);
        Collections.shuffle(twice, random);
        for (int from = 0; from < twice.size(); from += 3) { // several records per notification, as S3 may send
            deliver(S3Events.notification(twice.subList(from, Math.min(twice.size(), from + 3)))).then()
                    .statusCode(200);
        }
        Map<String, Map<String, String>> expected = logicalIndex(ordered);
        assertFalse(expected.isEmpty());
        assertEquals(expected, logicalIndex(shuffled));
    }

    /** The dataset's items without bookkeeping attributes, the dataset name replaced so that two can be compared. */
    private static Map<String, Map<String, String>> logicalIndex(String dataset) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder scan = ScanRequest.builder().tableName(Emulators.TABLE).consistentRead(true)
                    .filterExpression("begins_with(pk, :img) OR begins_with(pk, :content)")
                    .expressionAttributeValues(Map.of(":img", AttributeValue.fromS("IMG#" + dataset + "#"),
                            ":content", AttributeValue.fromS("CONTENT#" + dataset + "#")));
            if (start != null) {
                scan.exclusiveStartKey(start);
            }
            var page = Emulators.get().dynamo().scan(scan.build());
            for (Map<String, AttributeValue> item : page.items()) {
                Map<String, String> attrs = new TreeMap<>();
                item.forEach((k, v) -> {
                    if (List.of("updatedAt", "rev", "groupVer", "releasedContentId", "expiresAt", "ver").contains(k)) {
                        return;
                    }
                    String value = v.s() != null ? v.s() : v.n() != null ? v.n() : String.valueOf(new TreeMap<>(
                            Map.of("ss", new ArrayList<>(new java.util.TreeSet<>(v.ss())))));
                    attrs.put(k, value.replace(dataset, "<ds>"));
                });
                if (attrs.get("pk").startsWith("CONTENT#") && "{ss=[]}".equals(attrs.getOrDefault("members", "{ss=[]}"))) {
                    continue; // an emptied group is the same as none
                }
                out.put(attrs.get("pk"), attrs);
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    @Test
    void s3EventInsideAnSqsMessageIsIndexed() throws Exception {
        byte[] jpeg = TestImages.jpeg(100, 100, 20);
        ObjectNode record = upload("test/NORMAL/IM-0001-0001.jpeg", jpeg);
        ObjectNode sqs = (ObjectNode) MAPPER.readTree(EventFixtures.read("sqs-s3-put.json"));
        ((ObjectNode) sqs.get("Records").get(0)).put("body", S3Events.notification(record));
        deliver(sqs.toString()).then().statusCode(200).body("batchItemFailures.size()", equalTo(0));
        assertEquals("INDEXED", s(item("test/NORMAL/IM-0001-0001.jpeg"), "status"));
    }

    @Test
    void unreachableDynamoDbFailsTheInvocationAfterIndexingTheOtherRecords() {
        ObjectNode good = upload("train/NORMAL/IM-0200-0001.jpeg", TestImages.jpeg(100, 100, 30));
        ObjectNode bad = upload("train/NORMAL/" + PartlyUnreachableIndex.MARK + ".jpeg", TestImages.jpeg(100, 100, 31));
        ObjectNode good2 = upload("train/NORMAL/IM-0201-0001.jpeg", TestImages.jpeg(100, 100, 32));
        Response r = deliver(S3Events.notification(good, bad, good2));
        assertNotEquals(200, r.statusCode(), r.asString());
        assertTrue(r.asString().contains(PartlyUnreachableIndex.MARK), r.asString());
        assertEquals("INDEXED", s(item("train/NORMAL/IM-0200-0001.jpeg"), "status"));
        assertEquals("INDEXED", s(item("train/NORMAL/IM-0201-0001.jpeg"), "status"));
    }

    @Test
    void eventsOfOtherBucketsAndPrefixesAreIgnored() {
        Map<String, String> none = new HashMap<>();
        ObjectNode other = S3Events.putRecord("someone-elses-bucket", "images/" + ds + "/NORMAL/a.jpeg", 10, "abc",
                S3Events.nextSequencer());
        ObjectNode manifest = S3Events.putRecord(BUCKET, "manifests/" + ds + "/s1/train.jsonl", 10, "abc",
                S3Events.nextSequencer());
        deliver(S3Events.notification(other, manifest)).then().statusCode(200)
                .body("counts.IGNORED", equalTo(2));
        assertTrue(item("NORMAL/a.jpeg").isEmpty() || item("NORMAL/a.jpeg") == null, none.toString());
    }
}
