package dev.wanhybrid.gateway.jobs;

/** Renders a job as the JSON that job events carry (the public video object), written by the API layer. */
@FunctionalInterface
public interface JobRenderer {

    String render(Job job);
}
