package dev.wanhybrid.gateway.backend.local;

import dev.wanhybrid.engine.VideoEngine;
import dev.wanhybrid.engine.EngineException;
import java.nio.file.Path;

/**
 * Loads a {@link VideoEngine} from a Diffusers folder onto one device. The local-engine module supplies the real
 * one; without a loader bean the local backend reports what is missing instead of starting.
 */
@FunctionalInterface
public interface LocalEngineLoader {

    VideoEngine load(Path diffusersFolder, String device) throws EngineException;
}
