package dev.ocikit.image.containerfile;

/** Applies an expander to whichever words of an instruction Docker expands. */
final class Expansions {
    private Expansions() {}

    static Instruction apply(Instruction instruction, Expander x) {
        if (instruction instanceof Instruction.From i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Run i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Copy i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Add i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Env i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Arg i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Workdir i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.User i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Label i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Expose i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.Volume i) {
            return i.expand(x);
        } else if (instruction instanceof Instruction.StopSignal i) {
            return i.expand(x);
        }
        // CMD, ENTRYPOINT, HEALTHCHECK, SHELL, RUN's command: the shell expands them at run time;
        // MAINTAINER and ONBUILD are stored as written
        return instruction;
    }
}
