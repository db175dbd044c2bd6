package dev.wanhybrid.gateway.catalog;

import java.util.Set;

/**
 * The LoRA names of the in-JVM engine's registry ({@code gateway.local.loras}): what a local catalog model marked
 * {@code lora: true} applies. The local backend's configuration provides it, so the catalog reads no other
 * package's settings.
 */
@FunctionalInterface
public interface LocalLoraRegistry {

    Set<String> names();
}
