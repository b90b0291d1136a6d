package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageStatus;

/** What every {@link ImageIndex} must do; the in-memory stand-in and the DynamoDB adapter both run it. */
public abstract class ImageIndexContract {

    protected abstract ImageIndex index();

    /** A fresh dataset per test, so that tests sharing one table never meet. */
    protected final String ds = "contract-" + UUID.randomUUID();

    public ImageRecord record(String imageId, ImageStatus status, String contentId) {
        return ImageRecord.builder(ds, imageId).key("images/" + ds + "/" + imageId).label("NORMAL").patient("person3")
                .originalSplit("train").format("JPEG").width(100).height(80).channels(1).bitDepth(8).sizeBytes(1234)
                .contentId(contentId).status(status, status == ImageStatus.REJECTED ? "not an image" : null, null)
                .sequencer(Sequencers.normalise("1F")).updatedAt("2025-01-01T00:00:00Z").build();
    }

    @Test
    public void putCreatesOnlyWhenAbsentAndReplacesOnlyTheRevItRead() {
        ImageRecord r = record("NORMAL/a b+ü.jpeg", ImageStatus.INDEXED, "e:1");
        String rev = index().put(r, null, null, null, null);
        assertNotNull(rev);
        assertNull(index().put(r, null, null, null, null), "second create must fail");
        ImageIndex.Stored s = index().get(ds, "NORMAL/a b+ü.jpeg");
        assertEquals(r, s.record());
        assertEquals(rev, s.rev());
        assertNull(s.groupVer());
        assertNull(index().put(r, null, null, "not-the-rev", null));
        String rev2 = index().put(record("NORMAL/a b+ü.jpeg", ImageStatus.REJECTED, "e:1"), "old:2", 99L, rev, null);
        assertNotNull(rev2);
        assertEquals("old:2", index().get(ds, "NORMAL/a b+ü.jpeg").releasedContentId());
        assertNull(index().get(ds, "missing.jpeg"));
    }

    @Test
    public void putRecordsTheGroupVersionItsStatusIsDerivedFromAndAReplacementWithoutOneDropsIt() {
        ImageRecord r = record("NORMAL/g.jpeg", ImageStatus.INDEXED, "e:4");
        String rev = index().put(r, null, null, null, 1L);
        ImageIndex.Stored s = index().get(ds, "NORMAL/g.jpeg");
        assertEquals(1L, s.groupVer());
        assertNull(index().applyDerived(s, r, 1), "already derived from version 1");
        assertNotNull(index().put(record("NORMAL/g.jpeg", ImageStatus.REJECTED, "e:4"), null, null, rev, null));
        assertNull(index().get(ds, "NORMAL/g.jpeg").groupVer());
    }

    @Test
    public void dicomAttributesRoundTrip() {
        ImageRecord r = record("NORMAL/a.dcm", ImageStatus.INDEXED, "e:2").toBuilder().format("DICOM").bitDepth(12)
                .patient("dicom-00ff").study("1.2.3.4").view("PA").phi(true).sopInstanceUid("1.2.3.4.5").build();
        assertNotNull(index().put(r, null, null, null, null));
        assertEquals(r, index().get(ds, "NORMAL/a.dcm").record());
        assertEquals("SOP:1.2.3.4.5", r.contentKey());
        ImageRecord plain = record("NORMAL/b.jpeg", ImageStatus.INDEXED, "e:3");
        assertNotNull(index().put(plain, null, null, null, null));
        assertEquals(plain, index().get(ds, "NORMAL/b.jpeg").record());
        assertEquals("e:3", plain.contentKey());
    }

    @Test
    public void derivedStatusNeedsTheSameRevAndANewerGroupVersion() {
        ImageRecord r = record("NORMAL/a.jpeg", ImageStatus.INDEXED, "e:1");
        index().put(r, null, null, null, null);
        ImageIndex.Stored s = index().get(ds, "NORMAL/a.jpeg");
        ImageRecord dup = r.toBuilder().duplicateOf("NORMAL/0.jpeg", "same content as NORMAL/0.jpeg")
                .updatedAt("2025-01-02T00:00:00Z").build();
        String rev = index().applyDerived(s, dup, 5);
        assertNotNull(rev);
        ImageIndex.Stored after = index().get(ds, "NORMAL/a.jpeg");
        assertEquals(dup, after.record());
        assertEquals(5L, after.groupVer());
        assertNull(index().applyDerived(s, dup, 6), "stale rev");
        assertNull(index().applyDerived(after, dup, 5), "same version again");
        ImageRecord back = record("NORMAL/a.jpeg", ImageStatus.INDEXED, "e:1");
        assertNotNull(index().applyDerived(after, back.toBuilder().indexed().updatedAt("2025-01-03T00:00:00Z").build(),
                7));
        ImageRecord indexed = index().get(ds, "NORMAL/a.jpeg").record();
        assertEquals(ImageStatus.INDEXED, indexed.status());
        assertNull(indexed.duplicateOf());
        assertNull(indexed.reason());
    }

    @Test
    public void contentGroupsCountVersionsAndRemoveOnlyAtTheVersionRead() {
        assertNull(index().group(ds, "e:1"));
        ImageIndex.ContentGroup g1 = index().addMember(ds, "e:1", "b");
        assertEquals(Set.of("b"), g1.members());
        ImageIndex.ContentGroup g2 = index().addMember(ds, "e:1", "a");
        assertEquals(java.util.List.of("a", "b"), java.util.List.copyOf(g2.members()));
        assertTrue(g2.version() > g1.version());
        ImageIndex.ContentGroup again = index().addMember(ds, "e:1", "a");
        assertEquals(g2.members(), again.members());
        assertTrue(again.version() > g2.version(), "every add bumps the version");
        assertFalse(index().removeMembers(ds, "e:1", Set.of("a"), g2.version()));
        assertTrue(index().removeMembers(ds, "e:1", Set.of("a"), again.version()));
        ImageIndex.ContentGroup left = index().group(ds, "e:1");
        assertEquals(Set.of("b"), left.members());
        assertEquals(again.version() + 1, left.version());
        assertTrue(index().removeMembers(ds, "e:1", Set.of("b"), left.version()));
        assertNull(index().group(ds, "e:1"), "a group without members is removed, not left behind");
        assertEquals(Set.of("c"), index().addMember(ds, "e:1", "c").members(), "and can be started again");
    }
}
