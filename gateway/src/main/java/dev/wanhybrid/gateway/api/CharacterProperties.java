package dev.wanhybrid.gateway.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of the characters of the OpenAI Videos API ({@code gateway.api.characters.*}): the reference clip a
 * character is made from.
 *
 * @param maxClipSize largest clip upload (the multipart limit, {@code spring.servlet.multipart.max-file-size},
 *     bounds it too)
 * @param maxClipSeconds longest clip; reference-to-video models read a few seconds of a character (DashScope bills
 *     at most five seconds of each reference video)
 */
@Validated
@ConfigurationProperties("gateway.api.characters")
public record CharacterProperties(
        @NotNull @DefaultValue("10MB") DataSize maxClipSize,
        @Min(1) @Max(600) @DefaultValue("30") int maxClipSeconds) {}
