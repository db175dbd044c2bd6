package dev.wanhybrid.engine.internal.weights;

/** A checkpoint that cannot be used: unreadable, or not matching the model it should configure. */
public class WeightsException extends RuntimeException {

    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
