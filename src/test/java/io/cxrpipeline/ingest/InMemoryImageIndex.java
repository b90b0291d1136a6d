package io.cxrpipeline.ingest;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.common.InfrastructureException;

/**
 * The {@link ImageIndex} contract in memory, each operation atomic like a single-item DynamoDB request.
 * A failure hook lets tests make chosen operations fail as an unreachable DynamoDB would.
 */
final class InMemoryImageIndex implements ImageIndex {

    private final Map<String, Stored> items = new TreeMap<>();
    private final Map<String, ContentGroup> groups = new TreeMap<>();
    private final Map<String, Long> expiries = new HashMap<>();
    /** Receives "operation imageId-or-contentId"; returning true makes the call fail. */
    volatile Predicate<String> fail = op -> false;

    private static String id(String dataset, String imageId) {
        return dataset + "#" + imageId;
    }

    private void check(String op) {
        if (fail.test(op)) {
            throw new InfrastructureException("storage", "DynamoDB is down (" + op + ")");
        }
    }

    @Override
    public synchronized Stored get(String dataset, String imageId) {
        check("get " + imageId);
        return items.get(id(dataset, imageId));
    }

    @Override
    public synchronized String put(ImageRecord record, String releasedContentId, Long expiresAt, String expectedRev,
            Long groupVer) {
        check("put " + record.imageId());
        Stored cur = items.get(id(record.dataset(), record.imageId()));
        if (expectedRev == null ? cur != null : cur == null || !expectedRev.equals(cur.rev())) {
            return null;
        }
        String rev = UUID.randomUUID().toString();
        items.put(id(record.dataset(), record.imageId()), new Stored(record, rev, groupVer, releasedContentId));
        if (expiresAt != null) {
            expiries.put(id(record.dataset(), record.imageId()), expiresAt);
        } else {
            expiries.remove(id(record.dataset(), record.imageId()));
        }
        return rev;
    }

    @Override
    public synchronized String applyDerived(Stored current, ImageRecord derived, long groupVer) {
        check("derive " + derived.imageId());
        String id = id(derived.dataset(), derived.imageId());
        Stored cur = items.get(id);
        if (cur == null || !cur.rev().equals(current.rev()) || (cur.groupVer() != null && cur.groupVer() >= groupVer)) {
            return null;
        }
        ImageRecord r = cur.record();
        ImageRecord next = r.toBuilder().status(derived.status(), derived.reason(), derived.duplicateOf())
                .updatedAt(derived.updatedAt()).build();
        String rev = UUID.randomUUID().toString();
        items.put(id, new Stored(next, rev, groupVer, cur.releasedContentId()));
        return rev;
    }

    @Override
    public synchronized ContentGroup group(String dataset, String contentId) {
        check("group " + contentId);
        return groups.get(id(dataset, contentId));
    }

    @Override
    public synchronized ContentGroup addMember(String dataset, String contentId, String imageId) {
        check("add " + imageId);
        ContentGroup g = groups.get(id(dataset, contentId));
        TreeSet<String> members = g == null ? new TreeSet<>() : new TreeSet<>(g.members());
        members.add(imageId);
        ContentGroup next = new ContentGroup(g == null ? 1 : g.version() + 1, Collections.unmodifiableSortedSet(members));
        groups.put(id(dataset, contentId), next);
        return next;
    }

    @Override
    public synchronized boolean removeMembers(String dataset, String contentId, Set<String> imageIds,
            long expectedVersion) {
        check("remove " + contentId);
        ContentGroup g = groups.get(id(dataset, contentId));
        if (g == null || g.version() != expectedVersion) {
            return false;
        }
        TreeSet<String> members = new TreeSet<>(g.members());
        members.removeAll(imageIds);
        if (members.isEmpty()) {
            groups.remove(id(dataset, contentId));
        } else {
            groups.put(id(dataset, contentId), new ContentGroup(g.version() + 1, Collections.unmodifiableSortedSet(members)));
        }
        return true;
    }

    /** Every item, for whole-state comparisons (bookkeeping included). */
    synchronized Map<String, Stored> items() {
        return new TreeMap<>(items);
    }

    synchronized Map<String, ContentGroup> groups() {
        return new TreeMap<>(groups);
    }

    synchronized Long expiry(String dataset, String imageId) {
        return expiries.get(id(dataset, imageId));
    }
}
