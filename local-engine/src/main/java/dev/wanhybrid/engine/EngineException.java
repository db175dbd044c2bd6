package dev.wanhybrid.engine;

/** A generation that could not run: invalid for the loaded model, or failed on the device. */
public class EngineException extends Exception {

    private final boolean invalidRequest;

    public EngineException(String message, boolean invalidRequest, Throwable cause) {
        super(message, cause);
        this.invalidRequest = invalidRequest;
    }

    /** True when the request itself is wrong for this model (size, frames); false for run-time failures. */
    public boolean isInvalidRequest() {
        return invalidRequest;
    }
}
