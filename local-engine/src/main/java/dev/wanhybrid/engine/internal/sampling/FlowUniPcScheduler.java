package dev.wanhybrid.engine.internal.sampling;

import static dev.wanhybrid.engine.internal.torch.Torch.s;

import dev.wanhybrid.engine.HostTensor;
import dev.wanhybrid.engine.internal.torch.HostCopies;
import dev.wanhybrid.engine.internal.torch.Torch;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * Wan's {@code FlowUniPCMultistepScheduler} with its defaults: solver order 2, {@code bh2}, data prediction
 * ({@code predict_x0}), UniC corrector on every step after the first, lower order on the final step.
 *
 * <p>The scalar coefficients are computed in double from the float32 sigmas; the official code computes them
 * in float32 tensors, a difference of about 1e-7 relative.
 */
final class FlowUniPcScheduler extends GridScheduler {

    private static final int SOLVER_ORDER = 2;

    private final Tensor[] modelOutputs = new Tensor[SOLVER_ORDER];
    private Tensor lastSample;
    private int lowerOrderNums;
    private int thisOrder;
    private boolean correctorUsed;

    FlowUniPcScheduler(FlowGrid grid) {
        super(grid);
    }

    /** The UniP order used by the last step (1 while warming up and on the final step). */
    int lastOrder() {
        return thisOrder;
    }

    /** Frees the predictions kept between steps. */
    @Override
    public void close() {
        Torch.drop(lastSample);
        lastSample = null;
        for (int i = 0; i < modelOutputs.length; i++) {
            Torch.drop(modelOutputs[i]);
            modelOutputs[i] = null;
        }
    }

    /**
     * The multistep history: the last {@value #SOLVER_ORDER} data predictions ({@code model_outputs}), the last
     * sample (for the UniC corrector), the lower-order warm-up counter and the order of the last step.
     */
    @Override
    public void saveState(Map<String, HostTensor> tensors, Map<String, Long> counters) {
        super.saveState(tensors, counters);
        counters.put("sampler.lowerOrderNums", (long) lowerOrderNums);
        counters.put("sampler.thisOrder", (long) thisOrder);
        for (int i = 0; i < SOLVER_ORDER; i++) {
            if (modelOutputs[i] != null) {
                tensors.put("sampler.modelOutput." + i, HostCopies.toHost(modelOutputs[i]));
            }
        }
        if (lastSample != null) {
            tensors.put("sampler.lastSample", HostCopies.toHost(lastSample));
        }
    }

    @Override
    public void restoreState(Map<String, HostTensor> tensors, Map<String, Long> counters, Device device) {
        super.restoreState(tensors, counters, device);
        lowerOrderNums = Math.toIntExact(required(counters, "sampler.lowerOrderNums"));
        thisOrder = Math.toIntExact(required(counters, "sampler.thisOrder"));
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < SOLVER_ORDER; i++) {
                HostTensor saved = tensors.get("sampler.modelOutput." + i);
                modelOutputs[i] = saved == null ? null : Torch.keep(HostCopies.toDevice(saved, device));
            }
            HostTensor last = tensors.get("sampler.lastSample");
            lastSample = last == null ? null : Torch.keep(HostCopies.toDevice(last, device));
        }
    }

    boolean lastStepCorrected() {
        return correctorUsed;
    }

    @Override
    public Tensor step(Tensor modelOutput, Tensor sample) {
        int steps = grid.timesteps().length;
        checkNotDone();
        double[] sigma = grid.sigmas();
        Tensor x0 = sample.sub(modelOutput.mul(s(sigma[index])));
        correctorUsed = index > 0 && lastSample != null;
        if (correctorUsed) {
            sample = correct(x0, lastSample, sample, thisOrder);
        }
        Torch.drop(modelOutputs[0]);
        for (int i = 0; i < SOLVER_ORDER - 1; i++) {
            modelOutputs[i] = modelOutputs[i + 1];
        }
        modelOutputs[SOLVER_ORDER - 1] = Torch.keep(x0);
        thisOrder = Math.min(Math.min(SOLVER_ORDER, steps - index), lowerOrderNums + 1);
        Torch.drop(lastSample);
        lastSample = Torch.keep(sample);
        Tensor next = predict(sample, thisOrder);
        if (lowerOrderNums < SOLVER_ORDER) {
            lowerOrderNums++;
        }
        index++;
        return next;
    }

    private static double lambda(double sigma) {
        return Math.log(1 - sigma) - Math.log(sigma);
    }

    /** UniP (B(h) = expm1(-h)) from the current sample to the next sigma. */
    private Tensor predict(Tensor x, int order) {
        double[] sigma = grid.sigmas();
        Tensor m0 = modelOutputs[SOLVER_ORDER - 1];
        double sigmaT = sigma[index + 1];
        double sigmaS0 = sigma[index];
        double alphaT = 1 - sigmaT;
        double h = lambda(sigmaT) - lambda(sigmaS0);
        double hPhi1 = Math.expm1(-h);
        double bH = Math.expm1(-h);
        Tensor xt = x.mul(s(sigmaT / sigmaS0)).sub(m0.mul(s(alphaT * hPhi1)));
        if (order == 2) {
            double rk = (lambda(sigma[index - 1]) - lambda(sigmaS0)) / h;
            Tensor d1 = modelOutputs[SOLVER_ORDER - 2].sub(m0).div(s(rk));
            // Order 2 uses the fixed rho = 0.5, as upstream.
            xt = xt.sub(d1.mul(s(alphaT * bH * 0.5)));
        } else if (order != 1) {
            throw new IllegalStateException("UniP order " + order + " is not supported");
        }
        return xt;
    }

    /** UniC: corrects {@code thisSample} with the new prediction {@code modelT}, before it is stored. */
    private Tensor correct(Tensor modelT, Tensor last, Tensor thisSample, int order) {
        double[] sigma = grid.sigmas();
        Tensor m0 = modelOutputs[SOLVER_ORDER - 1];
        double sigmaT = sigma[index];
        double sigmaS0 = sigma[index - 1];
        double alphaT = 1 - sigmaT;
        double h = lambda(sigmaT) - lambda(sigmaS0);
        double hh = -h;
        double hPhi1 = Math.expm1(hh);
        double bH = Math.expm1(hh);
        double[] rks = new double[order];
        Tensor[] d1s = new Tensor[order - 1];
        for (int k = 1; k < order; k++) {
            double rk = (lambda(sigma[index - (k + 1)]) - lambda(sigmaS0)) / h;
            rks[k - 1] = rk;
            d1s[k - 1] = modelOutputs[SOLVER_ORDER - 1 - k].sub(m0).div(s(rk));
        }
        rks[order - 1] = 1.0;
        double[] rhos;
        if (order == 1) {
            rhos = new double[] {0.5};
        } else {
            double[][] r = new double[order][order];
            double[] b = new double[order];
            double hPhiK = hPhi1 / hh - 1;
            double factorial = 1;
            for (int i = 1; i <= order; i++) {
                for (int j = 0; j < order; j++) {
                    r[i - 1][j] = Math.pow(rks[j], i - 1);
                }
                b[i - 1] = hPhiK * factorial / bH;
                factorial *= i + 1;
                hPhiK = hPhiK / hh - 1 / factorial;
            }
            rhos = solve(r, b);
        }
        Tensor xt = last.mul(s(sigmaT / sigmaS0)).sub(m0.mul(s(alphaT * hPhi1)));
        Tensor correction = modelT.sub(m0).mul(s(rhos[order - 1]));
        for (int k = 0; k < order - 1; k++) {
            correction = correction.add(d1s[k].mul(s(rhos[k])));
        }
        return xt.sub(correction.mul(s(alphaT * bH)));
    }

    /** Gaussian elimination with partial pivoting for the tiny UniC system. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        double[] y = b.clone();
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
                    pivot = row;
                }
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            double t = y[col];
            y[col] = y[pivot];
            y[pivot] = t;
            for (int row = col + 1; row < n; row++) {
                double f = m[row][col] / m[col][col];
                for (int k = col; k < n; k++) {
                    m[row][k] -= f * m[col][k];
                }
                y[row] -= f * y[col];
            }
        }
        double[] x = new double[n];
        for (int row = n - 1; row >= 0; row--) {
            double sum = y[row];
            for (int k = row + 1; k < n; k++) {
                sum -= m[row][k] * x[k];
            }
            x[row] = sum / m[row][row];
        }
        return x;
    }
}
