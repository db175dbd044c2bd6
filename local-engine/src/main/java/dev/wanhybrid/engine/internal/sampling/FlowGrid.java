package dev.wanhybrid.engine.internal.sampling;

/**
 * The shifted sigma grid of Wan's {@code FlowUniPCMultistepScheduler.set_timesteps} ({@code wan/utils/
 * fm_solvers_unipc.py}): {@code s = linspace(sigma_max, sigma_min, steps + 1)[:-1]} over the float32 training
 * grid's ends, {@code sigma = shift*s / (1 + (shift-1)*s)}, timesteps {@code sigma * 1000} truncated, sigmas
 * stored as float32 with a final 0.
 *
 * @param timesteps int64 model timesteps
 * @param sigmas float32-rounded sigmas, {@code steps + 1} long
 */
public record FlowGrid(long[] timesteps, double[] sigmas) {

    public static FlowGrid wan(int steps, double shift, int trainSteps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        }
        if (!(shift > 0)) {
            throw new IllegalArgumentException("shift must be positive, was " + shift);
        }
        // Training grid: sigmas = 1 - linspace(1, 1/T, T) reversed, held in float32; its ends bound the schedule.
        double sigmaMax = (float) (1.0 - 1.0 / trainSteps);
        double sigmaMin = 0.0;
        long[] timesteps = new long[steps];
        double[] sigmas = new double[steps + 1];
        // numpy's linspace: start + i * ((stop - start) / (num - 1)), num = steps + 1.
        double delta = (sigmaMin - sigmaMax) / steps;
        for (int i = 0; i < steps; i++) {
            double s = i * delta + sigmaMax;
            double shifted = shift * s / (1 + (shift - 1) * s);
            timesteps[i] = (long) (shifted * trainSteps);
            sigmas[i] = (float) shifted;
        }
        sigmas[steps] = 0.0;
        return new FlowGrid(timesteps, sigmas);
    }
}
