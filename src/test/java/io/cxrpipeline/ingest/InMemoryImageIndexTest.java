package io.cxrpipeline.ingest;

/** The stand-in the core tests use honours the same contract as the DynamoDB adapter. */
class InMemoryImageIndexTest extends ImageIndexContract {

    private final InMemoryImageIndex index = new InMemoryImageIndex();

    @Override
    protected ImageIndex index() {
        return index;
    }
}
