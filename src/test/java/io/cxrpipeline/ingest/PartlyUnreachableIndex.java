package io.cxrpipeline.ingest;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.cxrpipeline.catalog.CatalogConfig;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.ingest.aws.DynamoImageIndex;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The DynamoDB index, except that requests for images whose id contains {@value #MARK} fail as an unreachable
 * DynamoDB does: lets function tests see an infrastructure failure next to healthy records.
 */
@Alternative
@ApplicationScoped
public class PartlyUnreachableIndex {

    static final String MARK = "dynamodb-down";

    @Produces
    @Alternative
    @Singleton
    ImageIndex imageIndex(DynamoDbClient dynamo, PipelineConfig pipeline, CatalogConfig catalog) {
        DynamoImageIndex real = new DynamoImageIndex(dynamo, pipeline.table(), catalog.shards());
        return new ImageIndex() {
            private void check(String imageId) {
                if (imageId.contains(MARK)) {
                    throw new InfrastructureException("storage", "DynamoDB GetItem failed: Unable to execute HTTP request");
                }
            }

            @Override
            public Stored get(String dataset, String imageId) {
                check(imageId);
                return real.get(dataset, imageId);
            }

            @Override
            public String put(ImageRecord record, String releasedContentId, Long expiresAt, String expectedRev,
                    Long groupVer) {
                check(record.imageId());
                return real.put(record, releasedContentId, expiresAt, expectedRev, groupVer);
            }

            @Override
            public String applyDerived(Stored current, ImageRecord derived, long groupVer) {
                return real.applyDerived(current, derived, groupVer);
            }

            @Override
            public ContentGroup group(String dataset, String contentId) {
                return real.group(dataset, contentId);
            }

            @Override
            public ContentGroup addMember(String dataset, String contentId, String imageId) {
                return real.addMember(dataset, contentId, imageId);
            }

            @Override
            public boolean removeMembers(String dataset, String contentId, Set<String> imageIds, long expectedVersion) {
                return real.removeMembers(dataset, contentId, imageIds, expectedVersion);
            }
        };
    }
}
