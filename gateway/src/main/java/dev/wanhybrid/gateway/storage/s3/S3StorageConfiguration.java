package dev.wanhybrid.gateway.storage.s3;

import dev.wanhybrid.gateway.storage.ResultStore;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The S3-compatible result store, chosen by {@code gateway.storage.type=s3}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "gateway.storage.type", havingValue = "s3")
@EnableConfigurationProperties(S3StorageProperties.class)
class S3StorageConfiguration {

    @Bean(destroyMethod = "close")
    S3Client resultStoreS3Client(S3StorageProperties properties) {
        if (properties.bucket().isBlank()) {
            throw new IllegalStateException("gateway.storage.type=s3 needs gateway.storage.s3.bucket (an existing bucket)");
        }
        return client(properties);
    }

    /** The client as the store uses it; tests build theirs here too, so they exercise the same settings. */
    static S3Client client(S3StorageProperties properties) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(properties.region()))
                .credentialsProvider(credentials(properties))
                .forcePathStyle(properties.pathStyleAccess())
                // The SDK's default trailing CRC checksums (aws-chunked uploads) are not understood by every
                // S3-compatible store; the store computes its own SHA-256 anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Plain signed bodies instead of aws-chunked encoding, which several S3-compatible stores reject.
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(properties.maxConnections())
                        .connectionTimeout(properties.connectTimeout())
                        .socketTimeout(properties.socketTimeout()));
        // An empty endpoint in YAML binds to an empty URI: both mean AWS S3.
        if (properties.endpoint() != null && !properties.endpoint().toString().isBlank()) {
            builder.endpointOverride(properties.endpoint());
        }
        return builder.build();
    }

    /** Signs the GET links a provider fetches a stored video by (a video to edit), with the client's settings. */
    @Bean(destroyMethod = "close")
    S3Presigner resultStoreS3Presigner(S3StorageProperties properties) {
        return presigner(properties);
    }

    static S3Presigner presigner(S3StorageProperties properties) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(properties.region()))
                .credentialsProvider(credentials(properties))
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(properties.pathStyleAccess()).build());
        if (properties.endpoint() != null && !properties.endpoint().toString().isBlank()) {
            builder.endpointOverride(properties.endpoint());
        }
        return builder.build();
    }

    @Bean
    ResultStore s3ResultStore(S3Client resultStoreS3Client, S3Presigner resultStoreS3Presigner,
            S3StorageProperties properties) {
        return new S3ResultStore(resultStoreS3Client, resultStoreS3Presigner, properties.bucket(),
                properties.prefix(), Math.toIntExact(properties.partSize().toBytes()));
    }

    private static AwsCredentialsProvider credentials(S3StorageProperties properties) {
        if (properties.hasStaticCredentials()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(properties.accessKeyId(), properties.secretAccessKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
