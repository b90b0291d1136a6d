package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.ingest.IndexOutcome.Outcome;
import io.cxrpipeline.common.InfrastructureException;

class IndexingServiceTest {

    private final IngestFixture f = new IngestFixture();
    private final byte[] xray = TestImages.jpeg(640, 512, 1);
    private final byte[] other = TestImages.jpeg(600, 500, 2);

    @Test
    void jpegIsIndexedWithItsDimensionsAndKeyFacts() {
        IndexOutcome o = f.service.apply(f.put("images/ds/train/PNEUMONIA/person7_virus_12.jpeg", xray));
        assertEquals(Outcome.WRITTEN, o.outcome());
        assertEquals(ImageStatus.INDEXED, o.status());
        ImageRecord r = f.record("train/PNEUMONIA/person7_virus_12.jpeg");
        assertEquals("PNEUMONIA", r.label());
        assertEquals("virus", r.subtype());
        assertEquals("person7", r.patient());
        assertEquals("train", r.originalSplit());
        assertEquals("JPEG", r.format());
        assertEquals(640, r.width());
        assertEquals(512, r.height());
        assertEquals(1, r.channels());
        assertEquals(8, r.bitDepth());
        assertEquals(xray.length, r.sizeBytes());
        assertEquals(InMemorySourceObjects.md5(xray) + ":" + xray.length, r.contentId());
        assertNull(r.reason());
    }

    @Test
    void duplicateEventChangesNothing() {
        ObjectEvent e = f.put("images/ds/NORMAL/IM-0001-0001.jpeg", xray);
        f.service.apply(e);
        var before = f.index.items();
        var groupsBefore = f.index.groups();
        IndexOutcome again = f.service.apply(e);
        assertEquals(Outcome.UNCHANGED, again.outcome());
        assertEquals(before, f.index.items()); // bookkeeping included: not even a rev changed
        assertEquals(groupsBefore, f.index.groups());
    }

    @Test
    void olderEventArrivingLateIsStale() {
        ObjectEvent first = f.put("images/ds/NORMAL/a.jpeg", xray);
        ObjectEvent second = f.put("images/ds/NORMAL/a.jpeg", other);
        assertEquals(Outcome.WRITTEN, f.service.apply(second).outcome());
        assertEquals(Outcome.STALE, f.service.apply(first).outcome());
        assertEquals(InMemorySourceObjects.md5(other) + ":" + other.length, f.record("NORMAL/a.jpeg").contentId());
    }

    @Test
    void createForAVersionThatWasReplacedIsSupersededAndWritesNothing() {
        ObjectEvent first = f.put("images/ds/NORMAL/a.jpeg", xray);
        f.put("images/ds/NORMAL/a.jpeg", other);
        assertEquals(Outcome.SUPERSEDED, f.service.apply(first).outcome());
        assertNull(f.record("NORMAL/a.jpeg"));
    }

    @Test
    void deleteLeavesATombstoneThatRejectsTheLateCreate() {
        ObjectEvent create = f.put("images/ds/NORMAL/a.jpeg", xray);
        ObjectEvent delete = f.delete("images/ds/NORMAL/a.jpeg");
        assertEquals(Outcome.WRITTEN, f.service.apply(delete).outcome());
        assertEquals(Outcome.STALE, f.service.apply(create).outcome());
        ImageRecord r = f.record("NORMAL/a.jpeg");
        assertEquals(ImageStatus.DELETED, r.status());
        assertEquals(delete.sequencer(), r.sequencer());
        assertEquals(1735689600L + 14 * 86400, f.index.expiry("ds", "NORMAL/a.jpeg"));
    }

    @Test
    void deleteDeindexesAndReleasesTheContent() {
        f.service.apply(f.put("images/ds/NORMAL/a.jpeg", xray));
        f.service.apply(f.delete("images/ds/NORMAL/a.jpeg"));
        assertEquals(ImageStatus.DELETED, f.record("NORMAL/a.jpeg").status());
        assertEquals(Map.of(), f.index.groups(), "no content group outlives its last image");
    }

    @Test
    void overwritesAndDeletesLeaveNoOrphanedContentGroups() {
        for (int i = 0; i < 50; i++) {
            f.service.apply(f.put("images/ds/NORMAL/" + i + ".jpeg", TestImages.jpeg(64, 64, 100 + i)));
        }
        for (int i = 0; i < 25; i++) {
            f.service.apply(f.put("images/ds/NORMAL/" + i + ".jpeg", TestImages.jpeg(64, 64, 200 + i)));
        }
        assertEquals(50, f.index.groups().size(), "the overwritten contents' groups are gone");
        for (int i = 0; i < 50; i++) {
            f.service.apply(f.delete("images/ds/NORMAL/" + i + ".jpeg"));
        }
        assertEquals(Map.of(), f.index.groups());
    }

    @Test
    void sameContentTwiceMakesTheSmallerIdCanonicalWhateverArrivesFirst() {
        ObjectEvent b = f.put("images/ds/val/NORMAL/b.jpeg", xray);
        ObjectEvent a = f.put("images/ds/train/NORMAL/a.jpeg", xray);
        f.service.apply(b);
        assertEquals(ImageStatus.INDEXED, f.record("val/NORMAL/b.jpeg").status());
        IndexOutcome o = f.service.apply(a);
        assertEquals(ImageStatus.INDEXED, o.status());
        ImageRecord dup = f.record("val/NORMAL/b.jpeg");
        assertEquals(ImageStatus.DUPLICATE, dup.status());
        assertEquals("train/NORMAL/a.jpeg", dup.duplicateOf());
        assertEquals("same content as train/NORMAL/a.jpeg", dup.reason());
        assertEquals(ImageStatus.INDEXED, f.record("train/NORMAL/a.jpeg").status());
    }

    @Test
    void sameContentUnderTwoClassesIsALabelConflict() {
        f.service.apply(f.put("images/ds/NORMAL/x.jpeg", xray));
        IndexOutcome o = f.service.apply(f.put("images/ds/PNEUMONIA/x.jpeg", xray));
        assertEquals(ImageStatus.DUPLICATE, o.status());
        assertEquals("label conflict: same content as NORMAL/x.jpeg labelled NORMAL", o.reason());
        ImageRecord canonical = f.record("NORMAL/x.jpeg");
        assertEquals(ImageStatus.CONFLICT, canonical.status(), "no copy of a conflicting content stays data");
        assertEquals("label conflict: same content labelled NORMAL, PNEUMONIA", canonical.reason());
    }

    @Test
    void deletingTheWrongCopyEndsTheConflict() {
        f.service.apply(f.put("images/ds/PNEUMONIA/x.jpeg", xray));
        f.service.apply(f.put("images/ds/NORMAL/x.jpeg", xray));
        assertEquals(ImageStatus.CONFLICT, f.record("NORMAL/x.jpeg").status());
        f.service.apply(f.delete("images/ds/NORMAL/x.jpeg"));
        ImageRecord kept = f.record("PNEUMONIA/x.jpeg");
        assertEquals(ImageStatus.INDEXED, kept.status());
        assertNull(kept.reason());
    }

    @Test
    void deletingTheCanonicalImagePromotesItsDuplicate() {
        f.service.apply(f.put("images/ds/NORMAL/a.jpeg", xray));
        f.service.apply(f.put("images/ds/NORMAL/b.jpeg", xray));
        f.service.apply(f.delete("images/ds/NORMAL/a.jpeg"));
        ImageRecord b = f.record("NORMAL/b.jpeg");
        assertEquals(ImageStatus.INDEXED, b.status());
        assertNull(b.duplicateOf());
        assertNull(b.reason());
    }

    @Test
    void replacingTheCanonicalImageWithOtherBytesPromotesItsDuplicate() {
        f.service.apply(f.put("images/ds/NORMAL/a.jpeg", xray));
        f.service.apply(f.put("images/ds/NORMAL/b.jpeg", xray));
        f.service.apply(f.put("images/ds/NORMAL/a.jpeg", other));
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/a.jpeg").status());
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/b.jpeg").status());
    }

    @Test
    void rejectedCopyOfAnIndexedImageIsNotADuplicate() {
        f.service.apply(f.put("images/ds/NORMAL/a.jpeg", xray));
        IndexOutcome o = f.service.apply(f.put("images/ds/COVID/a.jpeg", xray));
        assertEquals(ImageStatus.REJECTED, o.status());
        assertEquals("unknown class 'COVID'", o.reason());
    }

    @Test
    void badUploadsGetTheirPreciseReason() {
        assertReason("images/ds/NORMAL/notes.jpeg", TestImages.text("not an x-ray"), Reasons.NOT_AN_IMAGE);
        assertReason("images/ds/NORMAL/empty.jpeg", new byte[0], Reasons.ZERO_BYTES);
        assertReason("images/ds/NORMAL/cut.jpeg", TestImages.cut(xray, xray.length - 200), Reasons.TRUNCATED_JPEG);
        assertReason("images/ds/NORMAL/huge.png", TestImages.pngHeaderOnly(100_000, 100_000),
                "dimensions 100000x100000 over the pixel limit of 50000000");
        assertReason("images/ds/NORMAL/ct.dcm", TestImages.dicom(), TestImages.DICOM_REASON);
        assertReason("images/ds/train/x.jpeg", xray, "no class folder");
        assertReason("images/ds/train/Covid-19/x.jpeg", xray, "unknown class 'Covid-19'");
    }

    private void assertReason(String key, byte[] bytes, String reason) {
        IndexOutcome o = f.service.apply(f.put(key, bytes));
        assertEquals(Outcome.WRITTEN, o.outcome(), key);
        assertEquals(ImageStatus.REJECTED, o.status(), key);
        assertEquals(reason, o.reason(), key);
        assertEquals(reason, f.record(key.substring("images/ds/".length())).reason());
    }

    @Test
    void zeroByteObjectIsJudgedWithoutReadingIt() {
        f.service.apply(f.put("images/ds/NORMAL/empty.jpeg", new byte[0]));
        assertEquals(0, f.store.reads.get());
    }

    @Test
    void smallObjectIsReadOnceAndALargeOneHeadAndTail() {
        IngestFixture small = new IngestFixture(xray.length + 10);
        small.service.apply(small.put("images/ds/NORMAL/a.jpeg", xray));
        assertEquals(1, small.store.reads.get());
        IngestFixture large = new IngestFixture(1024);
        IndexOutcome o = large.service.apply(large.put("images/ds/NORMAL/a.jpeg", xray));
        assertEquals(2, large.store.reads.get());
        assertEquals(1024 + 4096, o.bytesRead());
    }

    @Test
    void anObjectOfAtMostTwiceTheHeadIsReadInOneGetAndALargerOneHasHeadAndTailReadInParallel() {
        IngestFixture medium = new IngestFixture(xray.length / 2 + 1);
        IndexOutcome m = medium.service.apply(medium.put("images/ds/NORMAL/a.jpeg", xray));
        assertEquals(Outcome.WRITTEN, m.outcome());
        assertEquals(1, medium.store.reads.get());
        assertEquals(xray.length, m.bytesRead());
        assertEquals(ImageStatus.INDEXED, medium.record("NORMAL/a.jpeg").status());

        IngestFixture large = new IngestFixture(xray.length / 2 - 1);
        IndexOutcome l = large.service.apply(large.put("images/ds/NORMAL/a.jpeg", xray));
        assertEquals(2, large.store.reads.get());
        assertEquals(xray.length / 2 - 1 + 4096, l.bytesRead());
        assertEquals(ImageStatus.INDEXED, large.record("NORMAL/a.jpeg").status());
    }

    @Test
    void metadataOverridesClassAndPatient() {
        f.service.apply(f.put("images/ds/inbox/scan.jpeg", xray, Map.of("class", "pneumonia", "patient-id", "p9")));
        ImageRecord r = f.record("inbox/scan.jpeg");
        assertEquals(ImageStatus.INDEXED, r.status());
        assertEquals("PNEUMONIA", r.label());
        assertEquals("p9", r.patient());
    }

    @Test
    void keysOutsideTheImagesPrefixOrBucketAreIgnored() {
        assertEquals(Outcome.IGNORED, f.service.apply(f.put("manifests/ds/x/train.jsonl", xray)).outcome());
        ObjectEvent e = f.put("images/ds/NORMAL/a.jpeg", xray);
        ObjectEvent elsewhere = new ObjectEvent(e.kind(), e.eventName(), null, "another", e.key(), e.size(), e.eTag(),
                e.sequencer(), null);
        assertEquals(Outcome.IGNORED, f.service.apply(elsewhere).outcome());
        assertNull(f.record("NORMAL/a.jpeg"));
    }

    @Test
    void crashBetweenWritesIsFinishedByTheRedelivery() {
        f.service.apply(f.put("images/ds/NORMAL/b.jpeg", xray));
        ObjectEvent a = f.put("images/ds/NORMAL/a.jpeg", xray);
        // The item of a is written, then DynamoDB fails before a joins the content group.
        f.index.fail = op -> op.equals("add NORMAL/a.jpeg");
        assertThrows(InfrastructureException.class, () -> f.service.apply(a));
        f.index.fail = op -> false;
        assertEquals(Outcome.UNCHANGED, f.service.apply(a).outcome());
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/a.jpeg").status());
        assertEquals(ImageStatus.DUPLICATE, f.record("NORMAL/b.jpeg").status());
        assertEquals("NORMAL/a.jpeg", f.record("NORMAL/b.jpeg").duplicateOf());
    }

    @Test
    void aNewImageOfNewContentTakesTwoWritesAndNoRead() {
        List<String> calls = new ArrayList<>();
        f.index.fail = op -> {
            calls.add(op);
            return false;
        };
        assertEquals(Outcome.WRITTEN, f.service.apply(f.put("images/ds/NORMAL/a.jpeg", xray)).outcome());
        assertEquals(List.of("put NORMAL/a.jpeg", "add NORMAL/a.jpeg"), calls);
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/a.jpeg").status());
        assertEquals(IndexingService.NEW_GROUP_VERSION, f.index.get("ds", "NORMAL/a.jpeg").groupVer());
    }

    @Test
    void theSecondCopyOfAContentIsDerivedAgainFromTheGroup() {
        f.service.apply(f.put("images/ds/NORMAL/b.jpeg", xray));
        f.service.apply(f.put("images/ds/NORMAL/a.jpeg", xray));
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/a.jpeg").status());
        assertEquals(ImageStatus.DUPLICATE, f.record("NORMAL/b.jpeg").status());
        assertEquals(2L, f.index.get("ds", "NORMAL/a.jpeg").groupVer());
        assertEquals(2L, f.index.get("ds", "NORMAL/b.jpeg").groupVer());
    }

    @Test
    void anItemLeftOutsideItsGroupIsFoundByTheReindex() {
        ObjectEvent a = f.put("images/ds/NORMAL/a.jpeg", xray);
        // a's item is written as the first of its content, then DynamoDB fails before a joins the group, and the
        // event is never delivered again; b, the same content, arrives and finds a group without a.
        f.index.fail = op -> op.equals("add NORMAL/a.jpeg");
        assertThrows(InfrastructureException.class, () -> f.service.apply(a));
        f.index.fail = op -> false;
        f.service.apply(f.put("images/ds/NORMAL/b.jpeg", xray));
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/b.jpeg").status());
        SourceObjects.Entry listed = f.store.list(IngestFixture.BUCKET, "images/ds/NORMAL/a", null, 10).entries().get(0);
        assertEquals(Outcome.UNCHANGED, f.service.reindex(listed, false).outcome());
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/a.jpeg").status());
        assertEquals(ImageStatus.DUPLICATE, f.record("NORMAL/b.jpeg").status());
        assertEquals("NORMAL/a.jpeg", f.record("NORMAL/b.jpeg").duplicateOf());
    }

    @Test
    void crashAfterATombstoneIsFinishedByTheRedelivery() {
        f.service.apply(f.put("images/ds/NORMAL/a.jpeg", xray));
        f.service.apply(f.put("images/ds/NORMAL/b.jpeg", xray));
        ObjectEvent delete = f.delete("images/ds/NORMAL/a.jpeg");
        f.index.fail = op -> op.startsWith("remove ");
        assertThrows(InfrastructureException.class, () -> f.service.apply(delete));
        assertEquals(ImageStatus.DUPLICATE, f.record("NORMAL/b.jpeg").status());
        f.index.fail = op -> false;
        assertEquals(Outcome.UNCHANGED, f.service.apply(delete).outcome());
        assertEquals(ImageStatus.INDEXED, f.record("NORMAL/b.jpeg").status());
    }

    @Test
    void reindexWritesWhatIsMissingAndKeepsTheSequencerItFound() {
        ObjectEvent e1 = f.put("images/ds/NORMAL/a.jpeg", xray);
        f.service.apply(e1);
        f.put("images/ds/NORMAL/a.jpeg", other); // its event is still on its way
        SourceObjects.Entry entry = f.store.list(IngestFixture.BUCKET, "images/ds/", null, 10).entries().get(0);
        assertEquals(Outcome.WRITTEN, f.service.reindex(entry, false).outcome());
        ImageRecord r = f.record("NORMAL/a.jpeg");
        assertEquals(InMemorySourceObjects.md5(other) + ":" + other.length, r.contentId());
        assertEquals(e1.sequencer(), r.sequencer());
        assertEquals(Outcome.UNCHANGED, f.service.reindex(entry, false).outcome());
    }

    @Test
    void reindexNeverUndoesANewerDelete() {
        f.service.apply(f.put("images/ds/NORMAL/a.jpeg", xray));
        SourceObjects.Entry listed = f.store.list(IngestFixture.BUCKET, "images/ds/", null, 10).entries().get(0);
        f.service.apply(f.delete("images/ds/NORMAL/a.jpeg")); // deleted after the listing
        assertEquals(Outcome.SUPERSEDED, f.service.reindex(listed, true).outcome());
        assertEquals(ImageStatus.DELETED, f.record("NORMAL/a.jpeg").status());
    }

    @Test
    void eventAfterAReindexWriteStillApplies() {
        f.put("images/ds/NORMAL/a.jpeg", xray); // event lost
        SourceObjects.Entry listed = f.store.list(IngestFixture.BUCKET, "images/ds/", null, 10).entries().get(0);
        f.service.reindex(listed, false);
        assertNull(f.record("NORMAL/a.jpeg").sequencer());
        ObjectEvent delete = f.delete("images/ds/NORMAL/a.jpeg");
        assertEquals(Outcome.WRITTEN, f.service.apply(delete).outcome());
        assertEquals(ImageStatus.DELETED, f.record("NORMAL/a.jpeg").status());
        assertNotNull(f.record("NORMAL/a.jpeg").sequencer());
    }

    @Test
    void jpegWhoseFrameHeaderSitsBehindLargeMetadataIsIndexed() {
        byte[] withExif = TestImages.withAppSegment(xray, 200_000);
        IndexOutcome o = f.service.apply(f.put("images/ds/NORMAL/exif.jpeg", withExif));
        assertEquals(ImageStatus.INDEXED, o.status());
        assertEquals(640, f.record("NORMAL/exif.jpeg").width());
    }
}
