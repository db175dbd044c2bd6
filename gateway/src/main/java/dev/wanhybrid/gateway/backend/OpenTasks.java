package dev.wanhybrid.gateway.backend;

import java.util.Collection;
import java.util.Set;

/**
 * Which names still stand for work in progress, according to the durable job store that every instance shares: the
 * id of a job that is not finished, or the task id such a job holds at a backend. A backend that keeps per-task
 * records outside the job store (the cloud's shared task slots) asks it which records a dead instance left behind.
 */
@FunctionalInterface
public interface OpenTasks {

    /** The subset of {@code names} that are an open job's id, or the task id of an open job of {@code backend}. */
    Set<String> openAmong(String backend, Collection<String> names);
}
