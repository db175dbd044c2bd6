package dev.wanhybrid.gateway.catalog;

import java.io.IOException;
import java.util.List;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;

/** Loads catalogs for tests the way the application does: YAML bound by Spring's binder. */
public final class CatalogFixtures {

    private CatalogFixtures() {}

    /** The shipped catalog from {@code gateway-routing.yaml}, cloud prices from the list in force today. */
    public static ModelCatalog shipped() {
        return ModelCatalog.from(bind(new ClassPathResource("gateway-routing.yaml")),
                java.time.LocalDate.now(java.time.ZoneOffset.UTC));
    }

    /** The shipped catalog whose {@code lora: true} local models apply the given registry names. */
    public static ModelCatalog shippedWithLocalLoras(java.util.Set<String> localLoras) {
        return ModelCatalog.from(bind(new ClassPathResource("gateway-routing.yaml")),
                dev.wanhybrid.cloud.catalog.ModelCatalog.load(), java.time.LocalDate.now(java.time.ZoneOffset.UTC),
                localLoras);
    }

    /**
     * The shipped catalog over a cloud catalog whose entry for {@code model} has {@code lifecycleLines} added
     * (YAML lines such as {@code "    retires-on: 2026-12-06\n"}), cloud prices from the list in force on {@code day}.
     */
    public static ModelCatalog shippedWithCloudLifecycle(String model, String lifecycleLines,
            java.time.LocalDate day) {
        try (java.io.InputStream cloud = dev.wanhybrid.cloud.catalog.ModelCatalog.class.getResourceAsStream(
                dev.wanhybrid.cloud.catalog.ModelCatalog.RESOURCE)) {
            String yaml = new String(cloud.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String marker = "  - id: " + model + "\n";
            int at = yaml.indexOf(marker);
            if (at < 0) {
                throw new IllegalArgumentException("the cloud catalog has no " + model);
            }
            at += marker.length();
            var cloudModels = dev.wanhybrid.cloud.catalog.ModelCatalog.load(new java.io.ByteArrayInputStream(
                    (yaml.substring(0, at) + lifecycleLines + yaml.substring(at))
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return ModelCatalog.from(bind(new ClassPathResource("gateway-routing.yaml")), cloudModels, day);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Binds {@code gateway.catalog} from the given YAML text. */
    public static CatalogProperties bindYaml(String yaml) {
        return bind(new ByteArrayResource(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static CatalogProperties bind(Resource resource) {
        try {
            List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("catalog", resource);
            var env = new StandardEnvironment();
            sources.forEach(s -> env.getPropertySources().addFirst(s));
            return new Binder(ConfigurationPropertySources.get(env))
                    .bind("gateway.catalog", CatalogProperties.class).get();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
