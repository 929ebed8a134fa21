namespace Serving.Controller.Api.Schema;

/// <summary>The Kubernetes types KServe embeds in its API.</summary>
public enum FieldSet
{
    /// <summary><c>metav1.ObjectMeta</c>.</summary>
    ObjectMeta,

    /// <summary><c>corev1.Container</c>.</summary>
    Container,

    /// <summary><c>corev1.PodSpec</c> as KServe inlines it into every component (without <c>ephemeralContainers</c>).</summary>
    PodSpec,

    /// <summary><c>corev1.ContainerPort</c>.</summary>
    ContainerPort,

    /// <summary><c>corev1.EnvVar</c>.</summary>
    EnvVar,

    /// <summary><c>corev1.ResourceRequirements</c>.</summary>
    ResourceRequirements,
}

/// <summary>
/// The field names of the Kubernetes types KServe embeds (Kubernetes 1.35's core/v1 and meta/v1, as KServe's CRD lists
/// them). The API types model only what the controller reads; the rest of these names are valid and pass through, and
/// any other name is a typo.
/// </summary>
public static class KubernetesFields
{
    public static IReadOnlySet<string> Of(FieldSet set) => set switch
    {
        FieldSet.ObjectMeta => ObjectMeta,
        FieldSet.Container => Container,
        FieldSet.PodSpec => PodSpec,
        FieldSet.ContainerPort => ContainerPort,
        FieldSet.EnvVar => EnvVar,
        FieldSet.ResourceRequirements => ResourceRequirements,
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, null),
    };

    private static readonly HashSet<string> ObjectMeta =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields", "clusterName",
    ];

    private static readonly HashSet<string> Container =
    [
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy",
        "restartPolicy", "restartPolicyRules", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe",
        "startupProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy",
        "securityContext", "stdin", "stdinOnce", "tty",
    ];

    private static readonly HashSet<string> PodSpec =
    [
        "volumes", "initContainers", "containers", "restartPolicy", "terminationGracePeriodSeconds",
        "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName", "serviceAccount",
        "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace",
        "securityContext", "imagePullSecrets", "hostname", "hostnameOverride", "subdomain", "affinity", "schedulerName",
        "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates", "runtimeClassName",
        "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints", "setHostnameAsFQDN", "os",
        "hostUsers", "schedulingGates", "resourceClaims", "resources",
    ];

    private static readonly HashSet<string> ContainerPort = ["containerPort", "hostPort", "hostIP", "name", "protocol"];

    private static readonly HashSet<string> EnvVar = ["name", "value", "valueFrom"];

    private static readonly HashSet<string> ResourceRequirements = ["limits", "requests", "claims"];
}
