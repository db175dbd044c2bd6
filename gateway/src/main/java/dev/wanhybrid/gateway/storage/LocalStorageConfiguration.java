package dev.wanhybrid.gateway.storage;

import java.io.IOException;
import java.nio.file.Path;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The local-disk result store, the default ({@code gateway.storage.type=local}). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LocalStorageConfiguration.LocalStorageProperties.class)
class LocalStorageConfiguration {

    @Bean
    @ConditionalOnProperty(name = "gateway.storage.type", havingValue = "local", matchIfMissing = true)
    ResultStore localDiskResultStore(LocalStorageProperties properties) throws IOException {
        return new LocalDiskResultStore(properties.root());
    }

    /**
     * {@code gateway.storage.local.*}.
     *
     * @param root folder that holds results and uploads
     */
    @ConfigurationProperties("gateway.storage.local")
    record LocalStorageProperties(@DefaultValue("./data/results") Path root) {}
}
