package dev.wanhybrid.gateway.storage.s3;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The S3-compatible result store ({@code gateway.storage.s3.*}, read when {@code gateway.storage.type=s3}).
 * Constraints here hold for the defaults too, because the application binds every properties class at start
 * whatever the storage type; the bucket, needed only for S3, is checked where the store is created.
 *
 * @param endpoint the store's URL; empty means AWS S3 in {@code region} (set it for Alibaba OSS, MinIO, ...)
 * @param bucket an existing bucket (required when the type is s3)
 * @param region the signing region
 * @param pathStyleAccess {@code endpoint/bucket/key} URLs instead of {@code bucket.endpoint/key}, as MinIO and most
 *     self-hosted stores need
 * @param prefix prepended to every key, so one bucket can serve several installations
 * @param partSize bytes per uploaded part, and so the most memory one upload holds (at least 5MB)
 * @param accessKeyId static access key id; empty uses the SDK's default chain (AWS_ACCESS_KEY_ID and
 *     AWS_SECRET_ACCESS_KEY, web identity, instance profile)
 * @param secretAccessKey static secret access key, with {@code accessKeyId}
 * @param maxConnections most pooled HTTP connections to the store
 * @param connectTimeout TCP connect timeout
 * @param socketTimeout longest wait for the next bytes of a response
 */
@Validated
@ConfigurationProperties("gateway.storage.s3")
public record S3StorageProperties(
        URI endpoint,
        @NotNull @DefaultValue("") String bucket,
        @NotBlank @DefaultValue("us-east-1") String region,
        @DefaultValue("false") boolean pathStyleAccess,
        @NotNull @DefaultValue("") String prefix,
        @NotNull @DefaultValue("8MB") DataSize partSize,
        @NotNull @DefaultValue("") String accessKeyId,
        @NotNull @DefaultValue("") String secretAccessKey,
        @Min(1) @DefaultValue("64") int maxConnections,
        @NotNull @DefaultValue("10s") Duration connectTimeout,
        @NotNull @DefaultValue("60s") Duration socketTimeout) {

    @AssertTrue(message = "must be between 5MB (S3's smallest part) and 512MB")
    boolean isPartSizeWithinLimits() {
        return partSize == null
                || (partSize.toBytes() >= S3ResultStore.MIN_PART_SIZE && partSize.toBytes() <= DataSize.ofMegabytes(512).toBytes());
    }

    @AssertTrue(message = "set both access-key-id and secret-access-key, or neither")
    boolean isCredentialPairComplete() {
        return accessKeyId == null || secretAccessKey == null || accessKeyId.isEmpty() == secretAccessKey.isEmpty();
    }

    boolean hasStaticCredentials() {
        return !accessKeyId.isEmpty();
    }

    /** Never prints the secret key. */
    @Override
    public String toString() {
        return "S3StorageProperties[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region
                + ", pathStyleAccess=" + pathStyleAccess + ", prefix=" + prefix + ", partSize=" + partSize
                + ", accessKeyId=" + accessKeyId + ", secretAccessKey=" + (secretAccessKey.isEmpty() ? "" : "******")
                + ", maxConnections=" + maxConnections + "]";
    }
}
