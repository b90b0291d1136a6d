package io.cxrpipeline.ingest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.imaging.ImageHeaders;
import io.cxrpipeline.imaging.dicom.DicomHeader;
import io.cxrpipeline.ingest.ImageIndex.ContentGroup;
import io.cxrpipeline.ingest.ImageIndex.Stored;
import io.cxrpipeline.ingest.IndexOutcome.Outcome;
import io.cxrpipeline.ingest.ObjectAnalyzer.Analysis;
import io.cxrpipeline.common.InfrastructureException;

/**
 * Applies S3 events (and reindex findings) to the image index, idempotently and in any order.
 *
 * <p>Per key, the S3 {@code sequencer} decides: an event older than the applied one is ignored, an equal
 * one is a redelivery (it only finishes work a crashed attempt may have left), a newer one replaces the
 * entry. Deletes leave a DELETED tombstone carrying the sequencer. Writes without a sequencer (reindex)
 * replace only the exact state they read and keep its sequencer, so they never undo a newer event.
 *
 * <p>Identical content (ETag and size; for DICOM, the SOPInstanceUID) within a dataset forms a content group; its canonical image is the
 * smallest image id, the others are DUPLICATEs of it. When the group's images carry more than one class, the
 * canonical image is a CONFLICT instead of INDEXED: the content is in no split until the wrong copies go.
 * Choosing by id rather than by arrival makes the
 * result independent of event order, and lets a duplicate take over when the canonical image is deleted.
 * Each writer updates its own item first, then the group, then re-derives the statuses of the group's
 * members, each step a single-item conditional write. A new image of new content costs two writes: its item,
 * written without a read and as derived from a new group, and the group.
 */
public final class IndexingService {

    private static final int ATTEMPTS = 10;

    /**
     * The version of a content group its first member creates. An image written as INDEXED records that it expects
     * to be that first member: when joining the group confirms it (the usual case, content not seen before), the
     * status needs no second write; otherwise the group's newer version re-derives it.
     */
    static final long NEW_GROUP_VERSION = 1;

    private final KeyRules rules;
    private final ObjectAnalyzer analyzer;
    private final ImageIndex index;
    private final SourceObjects store;
    private final String bucket;
    private final Clock clock;
    private final Duration tombstoneTtl;
    private final PatientIds patientIds;

    /**
     * @param bucket       the only bucket indexed; events of other buckets are ignored
     * @param tombstoneTtl how long a DELETED tombstone outlives the delete (it guards against late events)
     * @param patientIds   hashes DICOM PatientIDs into stored patients
     */
    public IndexingService(KeyRules rules, ObjectAnalyzer analyzer, ImageIndex index, SourceObjects store, String bucket,
            Clock clock, Duration tombstoneTtl, PatientIds patientIds) {
        this.rules = rules;
        this.analyzer = analyzer;
        this.index = index;
        this.store = store;
        this.bucket = bucket;
        this.clock = clock;
        this.tombstoneTtl = tombstoneTtl;
        this.patientIds = patientIds;
    }

    public KeyRules rules() {
        return rules;
    }

    /**
     * Applies one event.
     *
     * @throws InfrastructureException when S3 or DynamoDB fails; the index is then still consistent and the
     *                                 same event can be applied again
     */
    public IndexOutcome apply(ObjectEvent event) {
        if (!bucket.equals(event.bucket())) {
            return ignored(event.key(), "bucket " + event.bucket() + " is not " + bucket);
        }
        if (event.kind() == ObjectEvent.Kind.OTHER) {
            return ignored(event.key(), "event " + event.eventName() + " does not change the object");
        }
        String why = rules.whyIgnored(event.key());
        if (why != null) {
            return ignored(event.key(), why);
        }
        KeyRules.Location loc = rules.locate(event.key());
        return event.kind() == ObjectEvent.Kind.CREATED
                ? create(loc, event.key(), event.eTag(), event.size(), event.sequencer(), false)
                : delete(loc, event.key(), event.sequencer());
    }

    /**
     * Indexes an object found by listing, if it is missing from the index or stale (its content differs, or
     * the index says it was deleted). Never overrides a newer event: it writes only over the state it read.
     *
     * @param force re-judge the object even if its entry is up to date (after a change of the rules)
     */
    public IndexOutcome reindex(SourceObjects.Entry entry, boolean force) {
        String why = rules.whyIgnored(entry.key());
        if (why != null) {
            return ignored(entry.key(), why);
        }
        return create(rules.locate(entry.key()), entry.key(), entry.eTag(), entry.size(), null, !force);
    }

    private IndexOutcome create(KeyRules.Location loc, String key, String eTag, Long size, String sequencer,
            boolean skipIfCurrent) {
        Analysis analysis = null;
        if (sequencer != null) {
            // The first event of a key is the common case: write the item without reading it first, on condition
            // that there is none. A key with an item (redelivery, tombstone, newer event) fails the condition and
            // takes the read-then-write path below, with the analysis already made.
            analysis = analyzer.analyse(bucket, key, eTag, size);
            if (!analysis.gone()) {
                ImageRecord record = record(loc, key, analysis, sequencer);
                String rev = index.put(record, null, null, null, expectedGroupVer(record));
                if (rev != null) {
                    return written(loc, key, record, rev, null, analysis);
                }
            }
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stored cur = index.get(loc.dataset(), loc.imageId());
            String curSeq = cur == null ? null : cur.record().sequencer();
            if (sequencer != null && curSeq != null) {
                int c = sequencer.compareTo(curSeq);
                if (c < 0) {
                    return outcome(loc, key, Outcome.STALE, cur, bytes(analysis));
                }
                if (c == 0) {
                    repair(cur);
                    return outcome(loc, key, Outcome.UNCHANGED, cur, bytes(analysis));
                }
            }
            if (sequencer == null && skipIfCurrent && cur != null && cur.record().status() != ImageStatus.DELETED
                    && eTag != null && size != null && contentId(eTag, size).equals(cur.record().contentId())) {
                repairIfUnsettled(cur);
                return outcome(loc, key, Outcome.UNCHANGED, cur, bytes(analysis));
            }
            if (analysis == null) {
                analysis = analyzer.analyse(bucket, key, eTag, size);
            }
            if (analysis.gone()) {
                return new IndexOutcome(key, loc.dataset(), loc.imageId(), null, Outcome.SUPERSEDED,
                        cur == null ? null : cur.record().status(), null, analysis.bytesRead(), 0);
            }
            ImageRecord record = record(loc, key, analysis, sequencer != null ? sequencer : curSeq);
            String released = releasedBy(cur, record);
            String rev = index.put(record, released, null, cur == null ? null : cur.rev(), expectedGroupVer(record));
            if (rev == null) {
                continue; // changed since read: judge again against the new state
            }
            return written(loc, key, record, rev, released, analysis);
        }
        throw new InfrastructureException("storage", "image " + key + " kept changing while it was indexed");
    }

    /** The group version a new record is written as derived from: a candidate expects to start a new group. */
    private static Long expectedGroupVer(ImageRecord record) {
        return isCandidate(record) ? NEW_GROUP_VERSION : null;
    }

    /**
     * After an image's item is written (as derived from {@link #expectedGroupVer}): joins its content group, derives
     * the statuses the group implies, and prunes the group it left.
     */
    private IndexOutcome written(KeyRules.Location loc, String key, ImageRecord record, String rev, String released,
            Analysis analysis) {
        Long expectedGroupVer = expectedGroupVer(record);
        ImageRecord result = record;
        if (isCandidate(record)) {
            ContentGroup group = index.addMember(record.dataset(), record.contentKey(), record.imageId());
            ImageRecord derived = reconcile(record.dataset(), record.contentKey(), group,
                    new Stored(record, rev, expectedGroupVer, released));
            result = derived != null ? derived : record;
        }
        if (released != null) {
            reconcile(record.dataset(), released, null, null);
        }
        return outcome(loc, key, Outcome.WRITTEN, new Stored(result, rev, expectedGroupVer, released), analysis.bytesRead());
    }

    private IndexOutcome delete(KeyRules.Location loc, String key, String sequencer) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stored cur = index.get(loc.dataset(), loc.imageId());
            String curSeq = cur == null ? null : cur.record().sequencer();
            if (sequencer != null && curSeq != null) {
                int c = sequencer.compareTo(curSeq);
                if (c < 0) {
                    return outcome(loc, key, Outcome.STALE, cur, 0);
                }
                if (c == 0) {
                    repair(cur);
                    return outcome(loc, key, Outcome.UNCHANGED, cur, 0);
                }
            }
            if (sequencer == null) {
                // No ordering information: believe the delete only if the object is really gone.
                if (cur == null || cur.record().status() == ImageStatus.DELETED) {
                    return outcome(loc, key, Outcome.UNCHANGED, cur, 0);
                }
                if (store.read(bucket, key, null, 0, 1) != null) {
                    return outcome(loc, key, Outcome.SUPERSEDED, cur, 0);
                }
            }
            Instant now = clock.instant();
            ImageRecord tombstone = ImageRecord.tombstone(loc.dataset(), loc.imageId(), key,
                    sequencer != null ? sequencer : curSeq, now.toString());
            String released = cur != null && isCandidate(cur.record()) ? cur.record().contentKey() : null;
            String rev = index.put(tombstone, released, now.plus(tombstoneTtl).getEpochSecond(),
                    cur == null ? null : cur.rev(), null);
            if (rev == null) {
                continue;
            }
            if (released != null) {
                reconcile(loc.dataset(), released, null, null);
            }
            return outcome(loc, key, Outcome.WRITTEN, new Stored(tombstone, rev, null, released), 0);
        }
        throw new InfrastructureException("storage", "image " + key + " kept changing while it was de-indexed");
    }

    /**
     * Finishes what an earlier attempt of the same event may have left undone (a crash between its writes):
     * group membership and derived statuses. Writes nothing when all is in order.
     */
    private void repair(Stored cur) {
        ImageRecord r = cur.record();
        if (isCandidate(r)) {
            ContentGroup group = index.group(r.dataset(), r.contentKey());
            if (group == null || !group.members().contains(r.imageId())) {
                group = index.addMember(r.dataset(), r.contentKey(), r.imageId());
            }
            reconcile(r.dataset(), r.contentKey(), group, cur);
        }
        if (cur.releasedContentId() != null) {
            reconcile(r.dataset(), cur.releasedContentId(), null, null);
        }
    }

    /** Reindex of an up-to-date entry: repairs only entries whose derivation is missing or points nowhere. */
    private void repairIfUnsettled(Stored cur) {
        ImageRecord r = cur.record();
        if (!isCandidate(r)) {
            return;
        }
        boolean unsettled = cur.groupVer() == null;
        if (!unsettled) {
            // An item is written with the derivation it expects before it joins its group (NEW_GROUP_VERSION): an
            // attempt that stopped in between left it outside the group, which only the group tells.
            ContentGroup group = index.group(r.dataset(), r.contentKey());
            unsettled = group == null || !group.members().contains(r.imageId());
        }
        if (!unsettled && r.status() == ImageStatus.DUPLICATE) {
            Stored owner = index.get(r.dataset(), r.duplicateOf());
            unsettled = owner == null || (owner.record().status() != ImageStatus.INDEXED
                    && owner.record().status() != ImageStatus.CONFLICT)
                    || !r.contentKey().equals(owner.record().contentKey());
        }
        if (unsettled) {
            repair(cur);
        }
    }

    /**
     * Brings a content group and its members' statuses in line: prunes members that no longer hold the
     * content, then marks the smallest id INDEXED and the others DUPLICATE of it. Only out-of-date items are
     * written; every write is conditional, and any conflict re-reads and starts over.
     *
     * @param group a snapshot to start from, or null to read it
     * @param known an item the caller just wrote (saves reading it), or null
     * @return the state this pass left {@code known} in (as far as it knows), or null
     */
    ImageRecord reconcile(String dataset, String contentId, ContentGroup group, Stored known) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            ContentGroup g = group != null ? group : index.group(dataset, contentId);
            group = null;
            if (g == null || g.members().isEmpty()) {
                return null;
            }
            Map<String, Stored> items = new HashMap<>();
            Set<String> invalid = new TreeSet<>();
            for (String member : g.members()) {
                Stored item = known != null && attempt == 0 && known.record().imageId().equals(member)
                        ? known : index.get(dataset, member);
                if (item == null || !isCandidate(item.record()) || !contentId.equals(item.record().contentKey())) {
                    invalid.add(member);
                } else {
                    items.put(member, item);
                }
            }
            if (!invalid.isEmpty()) {
                // Safe against a concurrent re-add: that bumps the version, and this removal then fails.
                index.removeMembers(dataset, contentId, invalid, g.version());
                continue;
            }
            String owner = g.members().first();
            ImageRecord ownerRecord = items.get(owner).record();
            Set<String> labels = new TreeSet<>();
            items.values().forEach(item -> labels.add(item.record().label()));
            boolean settled = true;
            ImageRecord knownResult = null;
            for (String member : g.members()) {
                Stored item = items.get(member);
                boolean isKnown = known != null && known.record().imageId().equals(member);
                if (item.groupVer() != null && item.groupVer() >= g.version()) {
                    knownResult = isKnown ? item.record() : knownResult;
                    continue; // derived from this snapshot or a newer one already
                }
                ImageRecord r = item.record();
                ImageRecord derived = member.equals(owner)
                        ? labels.size() > 1
                                ? withStatus(r, ImageStatus.CONFLICT, null, Reasons.conflictingLabels(labels))
                                : withStatus(r, ImageStatus.INDEXED, null, null)
                        : withStatus(r, ImageStatus.DUPLICATE, owner, ownerRecord.label().equals(r.label())
                                ? Reasons.duplicateOf(owner) : Reasons.labelConflict(owner, ownerRecord.label()));
                if (index.applyDerived(item, derived, g.version()) == null) {
                    settled = false;
                } else if (isKnown) {
                    knownResult = derived;
                }
            }
            if (settled) {
                return knownResult;
            }
        }
        throw new InfrastructureException("storage", "content group " + contentId + " of " + dataset + " did not settle");
    }

    private ImageRecord record(KeyRules.Location loc, String key, Analysis a, String sequencer) {
        KeyRules.Facts facts = rules.derive(loc.imageId(), a.metadata());
        ImageHeaders.ImageInfo info = a.info();
        DicomHeader dicom = info == null ? null : info.dicom();
        String patient = facts.patient();
        String reason = a.rejection() != null ? a.rejection() : facts.rejection();
        if (dicom != null && dicom.patientId() != null) {
            // The DICOM PatientID is the patient; only its keyed hash is stored.
            if (patientIds.configured()) {
                patient = patientIds.hash(dicom.patientId());
            } else {
                patient = null;
                reason = reason != null ? reason : Reasons.NO_PATIENT_SALT;
            }
        }
        ImageRecord.Builder b = reason == null ? ImageRecord.indexed(loc.dataset(), loc.imageId())
                : ImageRecord.rejected(loc.dataset(), loc.imageId(), reason);
        if (info != null) {
            b.width(info.width()).height(info.height()).channels(info.channels()).bitDepth(info.bitDepth());
        }
        if (dicom != null) {
            b.study(dicom.studyInstanceUid()).view(dicom.viewPosition()).phi(dicom.phi())
                    .sopInstanceUid(dicom.sopInstanceUid());
        }
        return b.key(key).label(facts.label()).subtype(facts.subtype()).patient(patient)
                .originalSplit(facts.originalSplit()).format(a.format()).sizeBytes(a.size())
                .contentId(a.eTag() == null ? null : contentId(a.eTag(), a.size())).sequencer(sequencer)
                .updatedAt(clock.instant().toString()).build();
    }

    private ImageRecord withStatus(ImageRecord r, ImageStatus status, String duplicateOf, String reason) {
        return r.toBuilder().status(status, reason, duplicateOf).updatedAt(clock.instant().toString()).build();
    }

    /** The content group the old state belonged to and the new one leaves, or null. */
    private static String releasedBy(Stored cur, ImageRecord next) {
        if (cur == null || !isCandidate(cur.record())) {
            return null;
        }
        String old = cur.record().contentKey();
        return isCandidate(next) && old.equals(next.contentKey()) ? null : old;
    }

    /** INDEXED, CONFLICT and DUPLICATE images hold their content's group membership; the others do not. */
    static boolean isCandidate(ImageRecord r) {
        return (r.status() == ImageStatus.INDEXED || r.status() == ImageStatus.DUPLICATE
                || r.status() == ImageStatus.CONFLICT) && r.contentKey() != null;
    }

    /** Identity of an object's bytes: its ETag with its size (an MD5 for single-part uploads). */
    public static String contentId(String eTag, long size) {
        return eTag + ":" + size;
    }

    private static long bytes(Analysis a) {
        return a == null ? 0 : a.bytesRead();
    }

    private static IndexOutcome ignored(String key, String why) {
        return new IndexOutcome(key, null, null, null, Outcome.IGNORED, null, why, 0, 0);
    }

    private static IndexOutcome outcome(KeyRules.Location loc, String key, Outcome outcome, Stored item, long bytes) {
        return new IndexOutcome(key, loc.dataset(), loc.imageId(), null, outcome,
                item == null ? null : item.record().status(), item == null ? null : item.record().reason(), bytes, 0);
    }
}
