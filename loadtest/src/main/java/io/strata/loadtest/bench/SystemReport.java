package io.strata.loadtest.bench;

import java.util.OptionalDouble;

/**
 * One benchmarked system as the report names it: its bootstrap, whether the tool started it (and so what
 * kind of broker it is), and the peak resident memory of the broker processes the tool started: the
 * kernel's VmHWM of the broker JVM, and the largest sampled sum of VmRSS over the JVM and its children
 * (Strata's embedded S3 server runs as a child process).
 */
record SystemReport(String name, String bootstrap, String kind, OptionalDouble peakRssMiB,
                    OptionalDouble peakTreeRssMiB) {
}
