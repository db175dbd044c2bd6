package dev.wanhybrid.gateway.generation;

/** What a generation request asks for: text only, or text plus a first-frame image. */
public enum TaskKind {
    /** Text to video. */
    T2V,
    /** Image (plus text) to video. */
    I2V
}
